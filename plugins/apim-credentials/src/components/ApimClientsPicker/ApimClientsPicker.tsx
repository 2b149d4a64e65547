import { useEffect, useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import {
  useTemplateSecrets,
  type FieldExtensionComponentProps,
} from '@backstage/plugin-scaffolder-react';
import Box from '@material-ui/core/Box';
import FormHelperText from '@material-ui/core/FormHelperText';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { apimCredentialsApiRef } from '../../api';
import { useApimEnvironments } from '../../hooks/useApimEnvironments';
import {
  CLIENT_SECRET_PREFIX,
  clientEntriesOf,
  clientSecretName,
  selectedEnvironmentsOf,
  type ApimClientEntry,
  type ApimClientsPickerUiOptions,
} from '../../scaffolder/clientsField';
import {
  formValuesOf,
  isLocked,
  PickerFieldset,
  type PickerLabels,
} from '../common/PickerFieldset';
import { AlreadyMapped } from './AlreadyMapped';

const LABELS: PickerLabels = {
  title: 'OAuth2 clients',
  what: 'the environments',
};

/**
 * Scaffolder field `ApimClientsPicker`: a consumer key and a consumer secret for each environment
 * selected in the sibling environments field (`ui:options.environmentsField`, default
 * `environments`), and what is already mapped in each for the component named by
 * `ui:options.entityField` (`GET /credentials` of that entity).
 *
 * Value: `[{ environment, consumerKey, secretName }]` in the order of the selection. The secrets
 * go into the task's secrets under {@link clientSecretName} (as the scaffolder's own Secret field
 * does), never into the form's data; an environment that is unticked gets its secret blanked so
 * it does not travel with the task.
 */
export function ApimClientsPicker(
  props: FieldExtensionComponentProps<
    ApimClientEntry[],
    ApimClientsPickerUiOptions
  >,
) {
  const { formData, onChange, uiSchema, idSchema } = props;
  const locked = isLocked(props);
  const api = useApi(apimCredentialsApiRef);
  const { secrets, setSecrets } = useTemplateSecrets();
  const load = useApimEnvironments();
  const environments = load.value;
  const uiOptions = uiSchema?.['ui:options'];
  const formValues = formValuesOf(props);

  const selectedKey = selectedEnvironmentsOf(formValues, uiOptions).join('\n');
  const selected = useMemo(
    () => (selectedKey ? selectedKey.split('\n') : []),
    [selectedKey],
  );
  const entityRef = uiOptions?.entityField
    ? formValues?.[uiOptions.entityField]
    : undefined;
  const keyManager = uiOptions?.keyManagerField
    ? formValues?.[uiOptions.keyManagerField]
    : undefined;
  const mapped = useAsync(
    async () =>
      typeof entityRef === 'string' && entityRef
        ? api.getEntityCredentials(entityRef)
        : undefined,
    [api, entityRef],
  );

  const entries = clientEntriesOf(formData);
  const keyOf = (env: string) =>
    entries.find(e => e.environment === env)?.consumerKey ?? '';
  const secretOf = (env: string) => secrets[clientSecretName(env)] ?? '';
  const build = (
    keys: (env: string) => string,
    hasSecret: (env: string) => boolean,
  ): ApimClientEntry[] =>
    selected.map(environment => ({
      environment,
      consumerKey: keys(environment),
      ...(hasSecret(environment)
        ? { secretName: clientSecretName(environment) }
        : {}),
    }));

  // One entry per selected environment, whatever the form held before (the form library's
  // seeded entries, an environment unticked on the previous page, a Back and forth).
  const wanted = JSON.stringify(build(keyOf, env => secretOf(env) !== ''));
  useEffect(() => {
    if (JSON.stringify(formData ?? null) !== wanted) {
      onChange(JSON.parse(wanted));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [wanted]);

  // Unticked environments take their secrets out of what the task will receive.
  const stale = Object.keys(secrets).filter(
    name =>
      name.startsWith(CLIENT_SECRET_PREFIX) &&
      secrets[name] !== '' &&
      !selected.some(env => clientSecretName(env) === name),
  );
  useEffect(() => {
    if (stale.length > 0) {
      setSecrets(Object.fromEntries(stale.map(name => [name, ''])));
    }
  }, [stale.join('\n')]); // eslint-disable-line react-hooks/exhaustive-deps

  const setKey = (env: string, value: string) =>
    // A pasted key keeps no surrounding blanks (issue 15 item 4); a key has no blanks at all.
    onChange(
      build(
        e => (e === env ? value.trim() : keyOf(e)),
        e => secretOf(e) !== '',
      ),
    );
  const setSecret = (env: string, value: string) => {
    setSecrets({ [clientSecretName(env)]: value });
    onChange(
      build(keyOf, e => (e === env ? value !== '' : secretOf(e) !== '')),
    );
  };

  const id = idSchema?.$id ?? 'clients';

  return (
    <PickerFieldset
      field={props}
      labels={LABELS}
      load={load}
      id={id}
      fullWidth
      descriptionFirst
    >
      {selected.length === 0 && (
        <FormHelperText>
          Select one or more environments first: each gets its own client
        </FormHelperText>
      )}
      {selected.map(env => {
        const info = environments?.find(e => e.id === env);
        const envTitle = info?.title ?? env;
        const secret = secretOf(env);
        const padded = secret !== '' && secret !== secret.trim();
        return (
          <Box
            key={env}
            component="section"
            aria-label={`Client for ${envTitle}`}
            data-testid={`apim-client-${env}`}
            mt={2}
          >
            <Typography variant="subtitle1" component="h3">
              {envTitle}
              {info && (
                <Typography
                  component="span"
                  variant="body2"
                  color="textSecondary"
                >
                  {' '}
                  ({info.keyType} key of the application)
                </Typography>
              )}
            </Typography>
            <AlreadyMapped
              environment={env}
              keyManager={typeof keyManager === 'string' ? keyManager : ''}
              environments={environments}
              credentials={mapped.value}
              loading={mapped.loading}
              error={mapped.error}
            />
            <Box display="flex" flexWrap="wrap" style={{ gap: 16 }}>
              <TextField
                id={`${id}_${env}_consumerKey`}
                label={`Consumer key for ${envTitle}`}
                value={keyOf(env)}
                onChange={e => setKey(env, e.target.value)}
                // Not the input's `required`: the browser's own bubble would stop "Next" before
                // the field's validation can say which environment lacks what.
                InputLabelProps={{ required: true }}
                disabled={locked}
                autoComplete="off"
                inputProps={{ spellCheck: false, 'aria-required': true }}
                style={{ minWidth: 280 }}
              />
              <TextField
                id={`${id}_${env}_consumerSecret`}
                label={`Consumer secret for ${envTitle}`}
                type="password"
                value={secret}
                onChange={e => setSecret(env, e.target.value)}
                InputLabelProps={{ required: true }}
                inputProps={{ 'aria-required': true }}
                disabled={locked}
                autoComplete="off"
                helperText={
                  padded
                    ? 'The secret starts or ends with a space: check that it was copied without one'
                    : 'Kept as a task secret: never logged, stored with the task or shown'
                }
                FormHelperTextProps={padded ? { role: 'alert' } : undefined}
                style={{ minWidth: 280 }}
              />
            </Box>
          </Box>
        );
      })}
    </PickerFieldset>
  );
}
