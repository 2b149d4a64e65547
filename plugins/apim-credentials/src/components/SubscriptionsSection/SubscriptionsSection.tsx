/**
 * The entity tab's Subscriptions section (issue 16): per environment, the APIs the entity's
 * API-M application subscribes to (tier, status) against what the entity declares in
 * `consumesApis`, with Subscribe / Unsubscribe and "Sync with catalog" after a preview of the
 * plan. Buttons are disabled with the reason when the user lacks `apim.subscriptions.manage`.
 */
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import { InfoCard, Progress } from '@backstage/core-components';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import { apimSubscriptionsManagePermission } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { PermissionGatedButton } from '../common/PermissionGatedButton';
import {
  EnvironmentSubscriptions,
  SubscriptionsClient,
  SyncPlanItem,
  createSubscriptionsClient,
} from './subscriptionsClient';

const STATUS_COLOR: Record<string, 'primary' | 'secondary' | 'default'> = {
  UNBLOCKED: 'primary',
  BLOCKED: 'secondary',
  PROD_ONLY_BLOCKED: 'secondary',
};

/** What a subscription status means for the client's tokens at the gateway. */
const STATUS_HINT: Record<string, string> = {
  UNBLOCKED: 'tokens are accepted',
  ON_HOLD: 'waits for approval in API-M; tokens are refused until then',
  BLOCKED: 'blocked by the API publisher; tokens are refused',
  PROD_ONLY_BLOCKED:
    'production keys blocked by the publisher; sandbox keys work',
};

function ApiLink(props: { apiRef?: string; name?: string; apiId?: string }) {
  return props.apiRef ? (
    <EntityRefLink entityRef={props.apiRef} />
  ) : (
    <span>{props.name ?? props.apiId}</span>
  );
}

/** One environment's table and buttons; `client` calls the backend. */
export function EnvironmentSubscriptionsView(props: {
  entityRef: string;
  data: EnvironmentSubscriptions;
  client: SubscriptionsClient;
  disabledReason?: string;
  onChanged(): void;
}) {
  const { entityRef, data, client, disabledReason, onChanged } = props;
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [plan, setPlan] = useState<SyncPlanItem[]>();
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
      onChanged();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const env = data.environment;
  const noApp = data.application
    ? undefined
    : 'No API-M application yet: provide a client for this environment first';
  const reason = disabledReason ?? noApp;
  return (
    <Box mb={2} aria-label={`Subscriptions in ${env}`} role="region">
      <Typography variant="h6">{env}</Typography>
      {error && <Alert severity="error">{error}</Alert>}
      <Table size="small">
        <TableHead>
          <TableRow>
            <TableCell>API</TableCell>
            <TableCell>State</TableCell>
            <TableCell>Tier</TableCell>
            <TableCell>Status</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {data.subscribed.map(s => (
            <TableRow key={s.subscriptionId}>
              <TableCell>
                <ApiLink {...s} />
              </TableCell>
              <TableCell>
                <Chip size="small" label="subscribed" color="primary" />
              </TableCell>
              <TableCell>{s.tier}</TableCell>
              <TableCell title={STATUS_HINT[s.status]}>
                <Chip
                  size="small"
                  label={s.status}
                  color={STATUS_COLOR[s.status] ?? 'default'}
                />
              </TableCell>
              <TableCell>
                <PermissionGatedButton
                  size="small"
                  disabled={busy}
                  disabledReason={reason}
                  onClick={() =>
                    run(() => client.unsubscribe(entityRef, env, s.apiRef!))
                  }
                >
                  Unsubscribe
                </PermissionGatedButton>
              </TableCell>
            </TableRow>
          ))}
          {data.missing.map(m => (
            <TableRow key={m.apiRef ?? m.apiId}>
              <TableCell>
                <ApiLink {...m} />
              </TableCell>
              <TableCell>
                <Chip size="small" label="missing" />
              </TableCell>
              <TableCell>{m.tiers?.join(', ')}</TableCell>
              <TableCell />
              <TableCell>
                <PermissionGatedButton
                  size="small"
                  disabled={busy}
                  disabledReason={reason}
                  onClick={() =>
                    run(() => client.subscribe(entityRef, env, m.apiRef!))
                  }
                >
                  Subscribe
                </PermissionGatedButton>
              </TableCell>
            </TableRow>
          ))}
          {data.undeclared.map(u => (
            <TableRow key={u.subscriptionId}>
              <TableCell>
                <ApiLink {...u} />
              </TableCell>
              <TableCell>
                <Chip size="small" label="not in catalog" color="secondary" />
              </TableCell>
              <TableCell>{u.tier}</TableCell>
              <TableCell>
                <Chip size="small" label={u.status} />
              </TableCell>
              <TableCell />
            </TableRow>
          ))}
          {data.unresolved.map(u => (
            <TableRow key={u.apiRef}>
              <TableCell>
                <EntityRefLink entityRef={u.apiRef} />
              </TableCell>
              <TableCell colSpan={4}>{u.message}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <PermissionGatedButton
        variant="outlined"
        disabled={busy}
        disabledReason={reason}
        onClick={() =>
          run(async () =>
            setPlan(
              (
                await client.sync(entityRef, env, {
                  dryRun: true,
                  removeUndeclared: false,
                })
              ).items ?? [],
            ),
          )
        }
      >
        Sync with catalog
      </PermissionGatedButton>
      <Dialog open={plan !== undefined} onClose={() => setPlan(undefined)}>
        <DialogTitle>Sync {env} with the catalog</DialogTitle>
        <DialogContent>
          {plan?.length ? (
            <ul>
              {plan.map(i => (
                <li key={`${i.action}-${i.apiId}`}>
                  {i.action === 'subscribe'
                    ? 'Subscribe to'
                    : 'Unsubscribe from'}{' '}
                  {i.name ?? i.apiRef ?? i.apiId}
                </li>
              ))}
            </ul>
          ) : (
            <Typography>
              Nothing to change: the subscriptions match consumesApis.
            </Typography>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setPlan(undefined)}>Cancel</Button>
          <Button
            color="primary"
            disabled={!plan?.length || busy}
            onClick={() => {
              setPlan(undefined);
              run(() =>
                client.sync(entityRef, env, {
                  dryRun: false,
                  removeUndeclared: false,
                }),
              );
            }}
          >
            Apply
          </Button>
        </DialogActions>
      </Dialog>
    </Box>
  );
}

/** The section for the current entity; `client` replaces the backend in tests. */
export function SubscriptionsSection(props: { client?: SubscriptionsClient }) {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const [client] = useState(
    () => props.client ?? createSubscriptionsClient({ discoveryApi, fetchApi }),
  );
  const permission = usePermission({
    permission: apimSubscriptionsManagePermission,
    resourceRef: entityRef,
  });
  const state = useAsyncRetry(
    () => client.list(entityRef),
    [client, entityRef],
  );
  const disabledReason =
    permission.loading || permission.allowed
      ? undefined
      : "You may not change this entity's API subscriptions (apim.subscriptions.manage; by default its owners)";
  return (
    <InfoCard title="API subscriptions">
      {state.loading && !state.value && <Progress />}
      {state.error && <Alert severity="error">{state.error.message}</Alert>}
      {state.value?.environments.map(e => (
        <EnvironmentSubscriptionsView
          key={e.environment}
          entityRef={entityRef}
          data={e}
          client={client}
          disabledReason={disabledReason}
          onChanged={state.retry}
        />
      ))}
    </InfoCard>
  );
}
