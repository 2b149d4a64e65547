import { useEffect, useMemo } from 'react';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormHelperText from '@material-ui/core/FormHelperText';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import Typography from '@material-ui/core/Typography';
import { useApimEnvironments } from '../../hooks/useApimEnvironments';
import {
  fieldTitle,
  formValuesOf,
  isLocked,
  PickerFieldset,
  type PickerLabels,
} from '../common/PickerFieldset';
import {
  environmentsFieldName,
  type ApimKeyManagerPickerUiOptions,
} from '../../scaffolder/keyManagerField';
import {
  asStringArray,
  keyManagerOptions,
} from '../../scaffolder/keyManagerOptions';

const LABELS: PickerLabels = {
  title: 'Key manager',
  what: 'the key managers',
};

/**
 * Scaffolder field `ApimKeyManagerPicker`: the key managers of the environments selected in the
 * sibling environments field (`ui:options.environmentsField`, default `environments`), read from
 * the form's data. Only key managers that allow mapping in every selected environment can be
 * chosen; the others are listed disabled with the reason. Value: the key manager name.
 */
export function ApimKeyManagerPicker(
  props: FieldExtensionComponentProps<string, ApimKeyManagerPickerUiOptions>,
) {
  const { formData, onChange, uiSchema, idSchema } = props;
  const load = useApimEnvironments();
  const environments = load.value;

  const field = environmentsFieldName(uiSchema?.['ui:options']);
  const formValues = formValuesOf(props);
  const selectedKey = asStringArray(formValues?.[field]).join('\n');
  const options = useMemo(
    () =>
      environments
        ? keyManagerOptions(
            environments,
            selectedKey ? selectedKey.split('\n') : [],
          )
        : [],
    [environments, selectedKey],
  );

  // Another environment selection can take the chosen key manager off the list: clear it.
  const current = options.find(o => o.name === formData);
  useEffect(() => {
    if (environments && formData && !current?.offered) onChange(undefined);
  }, [environments, formData, current, onChange]);

  const title = fieldTitle(props, LABELS.title);

  return (
    <PickerFieldset field={props} labels={LABELS} load={load}>
      {environments && !selectedKey && (
        <FormHelperText>
          Select one or more environments to see their key managers
        </FormHelperText>
      )}
      {environments && selectedKey && options.length === 0 && (
        <FormHelperText>
          The selected environments offer no key managers
        </FormHelperText>
      )}
      {options.length > 0 && (
        <RadioGroup
          aria-label={title}
          name={idSchema?.$id ?? field}
          value={current?.offered ? current.name : ''}
          onChange={e => onChange(e.target.value)}
        >
          {options.map(option => (
            <FormControlLabel
              key={option.name}
              value={option.name}
              disabled={!option.offered || isLocked(props)}
              control={<Radio color="primary" />}
              label={
                <span>
                  <Typography component="span" variant="body1">
                    {option.displayName}
                  </Typography>
                  {option.displayName !== option.name && (
                    <Typography
                      component="span"
                      variant="body2"
                      color="textSecondary"
                    >
                      {' '}
                      ({option.name})
                    </Typography>
                  )}
                  {option.reason && (
                    <Typography
                      component="span"
                      variant="body2"
                      color="textSecondary"
                      display="block"
                    >
                      Not offered: {option.reason}
                    </Typography>
                  )}
                </span>
              }
            />
          ))}
        </RadioGroup>
      )}
    </PickerFieldset>
  );
}
