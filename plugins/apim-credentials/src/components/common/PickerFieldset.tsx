import type { ReactNode } from 'react';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import FormControl from '@material-ui/core/FormControl';
import FormHelperText from '@material-ui/core/FormHelperText';
import FormLabel from '@material-ui/core/FormLabel';
import LinearProgress from '@material-ui/core/LinearProgress';
import { backendMessage } from './errors';

/** What the frame reads of the props the scaffolder hands a field, whatever its value's type. */
type FieldFrameProps = Pick<
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  FieldExtensionComponentProps<any, any>,
  | 'schema'
  | 'uiSchema'
  | 'rawErrors'
  | 'required'
  | 'disabled'
  | 'readonly'
  | 'idSchema'
>;

/**
 * The data of the whole form, where a picker reads its sibling fields (the scaffolder hands it
 * as `formContext.formData`; older versions through the registry); undefined outside a form.
 */
export function formValuesOf(
  props: Pick<
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    FieldExtensionComponentProps<any, any>,
    'formContext' | 'registry'
  >,
): Record<string, unknown> | undefined {
  return (props.formContext ?? props.registry?.formContext)?.formData as
    | Record<string, unknown>
    | undefined;
}

/** True when the field may not be changed (disabled or read-only). */
export function isLocked(
  props: Pick<FieldFrameProps, 'disabled' | 'readonly'>,
) {
  return Boolean(props.disabled || props.readonly);
}

/**
 * The title of a scaffolder field as the template gives it (`ui:title`, then the schema's
 * `title`), or `fallback`.
 */
export function fieldTitle(
  props: Pick<FieldFrameProps, 'schema' | 'uiSchema'>,
  fallback: string,
): string {
  return props.uiSchema?.['ui:title'] ?? props.schema.title ?? fallback;
}

/** How a picker is named: its default title, and what it loads ("the environments"). */
export type PickerLabels = { title: string; what: string };

/**
 * The frame of the plugin's scaffolder pickers: a fieldset with the field's title as legend, a
 * progress bar while `what` loads from the backend, a one-line alert with the backend's message
 * when it failed (the field shows as in error then), the picker's own content, and the
 * template's description (`ui:description`, then the schema's).
 *
 * @param props.field - the props the scaffolder handed the field
 * @param props.labels - the default title (the template's `ui:title` or schema title wins, see
 *   {@link fieldTitle}) and what is loaded
 * @param props.load - the state of the load (`useApimEnvironments`)
 * @param props.descriptionFirst - the description under the legend rather than at the end
 * @param props.id - the fieldset's id; defaults to the field's `idSchema.$id`
 */
export function PickerFieldset(props: {
  field: FieldFrameProps;
  labels: PickerLabels;
  load: { loading: boolean; error?: Error };
  descriptionFirst?: boolean;
  id?: string;
  fullWidth?: boolean;
  children: ReactNode;
}) {
  const { field, labels } = props;
  const { error } = props.load;
  const description =
    field.uiSchema?.['ui:description'] ?? field.schema.description ?? undefined;
  const hasErrors = (field.rawErrors?.length ?? 0) > 0;
  const descriptionText = description && (
    <FormHelperText>{description}</FormHelperText>
  );
  return (
    <FormControl
      component="fieldset"
      margin="normal"
      required={field.required}
      error={hasErrors || Boolean(error)}
      disabled={isLocked(field)}
      id={props.id ?? field.idSchema?.$id}
      fullWidth={props.fullWidth}
    >
      <FormLabel component="legend">
        {fieldTitle(field, labels.title)}
      </FormLabel>
      {props.descriptionFirst && descriptionText}
      {props.load.loading && (
        <LinearProgress aria-label={`Loading ${labels.what}`} />
      )}
      {error && (
        <FormHelperText role="alert">
          Could not load {labels.what}: {backendMessage(error)}
        </FormHelperText>
      )}
      {props.children}
      {!props.descriptionFirst && descriptionText}
    </FormControl>
  );
}
