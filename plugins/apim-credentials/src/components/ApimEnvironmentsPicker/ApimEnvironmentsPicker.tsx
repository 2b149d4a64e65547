import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import Checkbox from '@material-ui/core/Checkbox';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormGroup from '@material-ui/core/FormGroup';
import FormHelperText from '@material-ui/core/FormHelperText';
import FormLabel from '@material-ui/core/FormLabel';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import type { EnvironmentInfo } from '@internal/backstage-plugin-apim-credentials-common';
import { apimCredentialsApiRef } from '../../api';
import { backendMessage } from '../common/errors';

function keyTypeLabel(env: EnvironmentInfo) {
  return `${env.keyType} keys, API-M instance ${env.instance}`;
}

/**
 * Scaffolder field `ApimEnvironmentsPicker`: the environments configured in the apim-credentials
 * backend (`GET /environments`), one checkbox each with its title and key type. Value: the
 * selected environment ids.
 */
export function ApimEnvironmentsPicker(
  props: FieldExtensionComponentProps<string[]>,
) {
  const {
    formData,
    onChange,
    schema,
    uiSchema,
    rawErrors,
    required,
    disabled,
    readonly,
    idSchema,
  } = props;
  const api = useApi(apimCredentialsApiRef);
  const {
    value: environments,
    loading,
    error,
  } = useAsync(() => api.getEnvironments(), [api]);

  const selected = Array.isArray(formData) ? formData : [];
  const title = uiSchema?.['ui:title'] ?? schema.title ?? 'Environments';
  const description =
    uiSchema?.['ui:description'] ?? schema.description ?? undefined;
  const hasErrors = (rawErrors?.length ?? 0) > 0;

  const toggle = (id: string, checked: boolean) => {
    const next = checked
      ? [...selected.filter(s => s !== id), id]
      : selected.filter(s => s !== id);
    // Keep the configured order, whatever order they were clicked in.
    const order = (environments ?? []).map(e => e.id);
    next.sort((a, b) => order.indexOf(a) - order.indexOf(b));
    onChange(next);
  };

  return (
    <FormControl
      component="fieldset"
      margin="normal"
      required={required}
      error={hasErrors || Boolean(error)}
      disabled={disabled || readonly}
      id={idSchema?.$id}
    >
      <FormLabel component="legend">{title}</FormLabel>
      {loading && <LinearProgress aria-label="Loading the environments" />}
      {error && (
        <FormHelperText role="alert">
          Could not load the environments: {backendMessage(error)}
        </FormHelperText>
      )}
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
      {description && <FormHelperText>{description}</FormHelperText>}
    </FormControl>
  );
}
