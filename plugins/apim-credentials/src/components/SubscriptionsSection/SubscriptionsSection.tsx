/**
 * The entity tab's Subscriptions section (issue 16): per environment, the APIs the entity's
 * API-M application subscribes to (tier, status) against what the entity declares in
 * `consumesApis`, with Subscribe / Unsubscribe and "Sync with catalog" after a preview of the
 * plan. Buttons are disabled with the reason when the user lacks `apim.subscriptions.manage` or
 * the environment has no application yet. Calls go through the plugin's API ref.
 */
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { InfoCard, Progress } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  apimSubscriptionsManagePermission,
  EnvironmentSubscriptions,
  SubscriptionSyncItem,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { PermissionGatedButton } from '../common/PermissionGatedButton';
import { apimCredentialsApiRef } from '../../api';
import { SubscriptionsTable } from './SubscriptionsTable';
import { SyncDialog } from './SyncDialog';

/** One environment's table and buttons. */
export function EnvironmentSubscriptionsView(props: {
  entityRef: string;
  data: EnvironmentSubscriptions;
  disabledReason?: string;
  onChanged(): void;
}) {
  const { entityRef, data, disabledReason, onChanged } = props;
  const api = useApi(apimCredentialsApiRef);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [plan, setPlan] = useState<SubscriptionSyncItem[]>();
  const [removeUndeclared, setRemoveUndeclared] = useState(false);
  const environment = data.environment;
  const run = async (fn: () => Promise<unknown>, changes = true) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
      // Also after a failure: part of a sync may have gone through, and a refused or failed
      // change is an audit row too.
      if (changes) onChanged();
    }
  };
  const preview = (remove: boolean) =>
    run(async () => {
      const result = await api.syncSubscriptions(
        { entityRef, environment },
        { removeUndeclared: remove },
        { dryRun: true },
      );
      setRemoveUndeclared(remove);
      setPlan(result.items ?? []);
    }, false);
  const apply = () => {
    setPlan(undefined);
    run(async () => {
      const result = await api.syncSubscriptions(
        { entityRef, environment },
        { removeUndeclared },
      );
      // Each API has its own result: the others went through even when one failed.
      const failed = (result.results ?? []).filter(r => r.outcome === 'failed');
      if (failed.length) {
        throw new Error(
          failed
            .map(f => `${f.name ?? f.apiRef ?? f.apiId}: ${f.error?.message}`)
            .join('; '),
        );
      }
    });
  };
  const reason =
    disabledReason ??
    (data.application
      ? undefined
      : 'No API-M application yet: provide a client for this environment first');
  return (
    <Box mb={2} aria-label={`Subscriptions in ${environment}`} role="region">
      <Typography variant="h6">{environment}</Typography>
      {error && <Alert severity="error">{error}</Alert>}
      <SubscriptionsTable
        data={data}
        busy={busy}
        disabledReason={reason}
        onAction={(action, apiRef) =>
          run(() =>
            action === 'subscribe'
              ? api.subscribe({ entityRef, environment, apiRef })
              : api.unsubscribe({ entityRef, environment, apiRef }),
          )
        }
      />
      <PermissionGatedButton
        variant="outlined"
        disabled={busy}
        disabledReason={reason}
        onClick={() => preview(false)}
      >
        Sync with catalog
      </PermissionGatedButton>
      {plan && (
        <SyncDialog
          environment={environment}
          plan={plan}
          removeUndeclared={removeUndeclared}
          busy={busy}
          onRemoveUndeclared={preview}
          onApply={apply}
          onClose={() => setPlan(undefined)}
        />
      )}
    </Box>
  );
}

/**
 * The section for the current entity.
 *
 * @param props.refreshKey - read the subscriptions again when it changes (the tab bumps it after
 *   a credentials change: providing a client may have created the application)
 * @param props.onChanged - called after each subscribe, unsubscribe or applied sync, failed or
 *   not (the tab refreshes its audit history)
 */
export function SubscriptionsSection(
  props: { refreshKey?: number; onChanged?: () => void } = {},
) {
  const { refreshKey, onChanged } = props;
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(apimCredentialsApiRef);
  const permission = usePermission({
    permission: apimSubscriptionsManagePermission,
    resourceRef: entityRef,
  });
  const state = useAsyncRetry(
    () => api.getSubscriptions(entityRef),
    [api, entityRef, refreshKey],
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
          disabledReason={disabledReason}
          onChanged={() => {
            state.retry();
            onChanged?.();
          }}
        />
      ))}
    </InfoCard>
  );
}
