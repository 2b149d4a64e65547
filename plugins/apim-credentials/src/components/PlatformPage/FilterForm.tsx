import { FormEvent, ReactNode } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';

/**
 * The filter row above a platform table: its fields, an "Apply filters" submit button (Enter in
 * a field applies too), then any further actions.
 *
 * @param props.label - the form's accessible name (e.g. "Audit filters")
 * @param props.onSubmit - applies the fields; the browser's own submit is already prevented
 * @param props.alignItems - how fields of different heights line up (helper texts under fields
 *   want `flex-start`)
 * @param props.actions - shown after the Apply button (e.g. an export)
 */
export function FilterForm(props: {
  label: string;
  onSubmit: () => void;
  alignItems?: 'center' | 'flex-start';
  children: ReactNode;
  actions?: ReactNode;
}) {
  const { onSubmit } = props;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <Box
      component="form"
      onSubmit={submit}
      display="flex"
      flexWrap="wrap"
      alignItems={props.alignItems ?? 'center'}
      mb={2}
      style={{ gap: 12 }}
      aria-label={props.label}
    >
      {props.children}
      <Button type="submit" variant="outlined" color="primary">
        Apply filters
      </Button>
      {props.actions}
    </Box>
  );
}
