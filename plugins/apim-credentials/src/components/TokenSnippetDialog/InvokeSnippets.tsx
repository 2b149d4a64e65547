/**
 * Step 4 of the seed (issue 16), after the token: one "invoke" command per API the entity's
 * application subscribes to in the environment, built from the gateway URL API-M reports for it
 * (`endpointURLs`) and the token. Only placeholders for the token and the CA; the secret never
 * appears (it stays in the token command's prompt).
 */
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { CodeSnippet, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  ApimSubscribedApi,
  buildInvokeCurl,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { apimCredentialsApiRef } from '../../api';

/** `PaymentsAPI 1.0.0`, else the API entity ref or id. */
function apiLabel(api: ApimSubscribedApi): string {
  return api.name
    ? `${api.name}${api.version ? ` ${api.version}` : ''}`
    : api.apiRef ?? api.apiId ?? 'API';
}

/** What the gateway does with the token for a subscription in this status (CONTRACT.md 11). */
function statusNote(status: string): string | undefined {
  if (status === 'UNBLOCKED') return undefined;
  if (status === 'ON_HOLD')
    return 'the subscription waits for approval in API-M: the gateway refuses the token until then';
  if (status === 'PROD_ONLY_BLOCKED')
    return 'production keys are blocked by the publisher: sandbox keys work';
  return `the subscription is ${status}: the gateway refuses the token`;
}

/**
 * The invoke commands for `entityRef` in `environment`; without a subscription (or when the
 * subscriptions cannot be read), the generic command with a placeholder URL and a pointer to the
 * API subscriptions section.
 */
export function InvokeSnippets(props: {
  entityRef?: string;
  environment?: string;
  privateCa?: boolean;
}) {
  const { entityRef, environment, privateCa } = props;
  const api = useApi(apimCredentialsApiRef);
  const state = useAsync(async () => {
    if (!entityRef || !environment) return [];
    const found = await api.getSubscriptions(entityRef, { environment });
    const env = found.environments.find(e => e.environment === environment);
    return env ? [...env.subscribed, ...env.undeclared] : [];
  }, [api, entityRef, environment]);
  if (state.loading) return <Progress />;
  const apis = state.value ?? [];
  if (!apis.length) {
    return (
      <>
        <Typography variant="body2" paragraph>
          {state.error
            ? `The API subscriptions could not be read (${state.error.message}): use the gateway URL of the API.`
            : 'The application subscribes to no API here yet: subscribe in the API subscriptions section, then call the API at the gateway URL API-M shows for it.'}
        </Typography>
        <CodeSnippet
          language="bash"
          showCopyCodeButton
          text={buildInvokeCurl({ privateCa })}
        />
      </>
    );
  }
  return (
    <>
      {apis.map(s => {
        const note = statusNote(s.status);
        return (
          <div
            key={s.subscriptionId}
            data-testid="invoke-snippet"
            aria-label={`Call ${apiLabel(s)}`}
            role="group"
          >
            <Typography variant="body2">
              {apiLabel(s)}
              {note ? ` (${note})` : ''}
            </Typography>
            <CodeSnippet
              language="bash"
              showCopyCodeButton
              text={buildInvokeCurl({
                gatewayUrl: s.gatewayUrl,
                api: apiLabel(s),
                privateCa,
              })}
            />
          </div>
        );
      })}
    </>
  );
}
