import { useEffect } from 'react';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormGroup from '@material-ui/core/FormGroup';
import FormHelperText from '@material-ui/core/FormHelperText';
import Typography from '@material-ui/core/Typography';
import type { EnvironmentInfo } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { useApimEnvironments } from '../../hooks/useApimEnvironments';
import { PickerFieldset, type PickerLabels } from '../common/PickerFieldset';

function keyTypeLabel(env: EnvironmentInfo) {
  return `${env.keyType} keys, API-M instance ${env.instance}`;
}

/**
 * The environment ids in a form value, without what is not one. The scaffolder's form library
 * seeds an array with `minItems: 1` with an empty entry (`[undefined]`), and a shared link or a
 * back-navigation can carry ids that the backend no longer configures: neither may reach the
 * task (the scaffolder would answer "'Environments 0' must be string").
 *
 * @param value - the field's form data, whatever its shape
 * @param known - the configured environment ids; when omitted (still loading) only non-string
 *   and blank entries are dropped
 * @returns the distinct ids, in the configured order when `known` is given
 */
export function environmentIdsOf(
  value: unknown,
  known?: readonly string[],
): string[] {
  const ids = Array.isArray(value)
    ? value.filter(
        (v): v is string => typeof v === 'string' && v.trim().length > 0,
      )
    : [];
  const distinct = [...new Set(ids)];
  if (!known) return distinct;
  return known.filter(id => distinct.includes(id));
}

const LABELS: PickerLabels = {
  title: 'Environments',
  what: 'the environments',
};

/**
 * Scaffolder field `ApimEnvironmentsPicker`: the environments configured in the apim-credentials
 * backend (`GET /environments`), one checkbox each with its title and key type. Value: the
 * selected environment ids.
 */
export function ApimEnvironmentsPicker(
  props: FieldExtensionComponentProps<string[]>,
) {
  const { formData, onChange } = props;
  const load = useApimEnvironments();
  const environments = load.value;

  const known = environments?.map(e => e.id);
  const selected = environmentIdsOf(formData, known);

  // Write the cleaned value back as soon as seeded or stale entries are seen, so that "Next"
  // validates what the user sees ("Select at least one environment", never "must be string").
  // Duplicates are left to the field's validation, which names them.
  const isClean =
    Array.isArray(formData) &&
    formData.every(
      v =>
        typeof v === 'string' &&
        v.trim().length > 0 &&
        (!known || known.includes(v)),
    );
  useEffect(() => {
    if (formData === undefined || isClean) return;
    const cleaned = environmentIdsOf(formData, known);
    onChange(cleaned);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [isClean, known?.join('\n')]);

  const toggle = (id: string, checked: boolean) => {
    const next = checked
      ? [...selected.filter(s => s !== id), id]
      : selected.filter(s => s !== id);
    // Keep the configured order, whatever order they were clicked in.
    const order = known ?? [];
    next.sort((a, b) => order.indexOf(a) - order.indexOf(b));
    // Never `undefined` for "nothing": the form library would seed `minItems` empty entries again.
    onChange(next);
  };

  return (
    <PickerFieldset field={props} labels={LABELS} load={load}>
      {environments && environments.length === 0 && (
        <FormHelperText>
          No environments are configured in the apim-credentials backend
        </FormHelperText>
      )}
      {environments && environments.length > 0 && (
        <FormGroup>
          {environments.map(env => (
            <FormControlLabel
              key={env.id}
              control={
                <Checkbox
                  checked={selected.includes(env.id)}
                  onChange={e => toggle(env.id, e.target.checked)}
                  name={env.id}
                  color="primary"
                />
              }
              label={
                <span>
                  <Typography component="span" variant="body1">
                    {env.title}
                  </Typography>
                  <Typography
                    component="span"
                    variant="body2"
                    color="textSecondary"
                  >
                    {' '}
                    ({keyTypeLabel(env)})
                  </Typography>
                  {env.error && (
                    <Typography
                      component="span"
                      variant="body2"
                      color="error"
                      display="block"
                    >
                      Key managers unavailable: {env.error}
                    </Typography>
                  )}
                </span>
              }
            />
          ))}
        </FormGroup>
      )}
    </PickerFieldset>
  );
}
