import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/core-plugin-api';
import { Table } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  apimApplicationsBindPermission,
  ApplicationBinding,
  BindingCandidate,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { apimCredentialsApiRef } from '../../api';
import { formatDateTime } from '../common/format';
import { LoadFailure, StatusNote, useReportCount } from '../common/notes';
import {
  ActorCell,
  DENSE_TABLE_OPTIONS,
  EmptyTableMessage,
  entityColumn,
} from '../common/tables';
import { ConfirmDialog } from './ConfirmDialog';

const ORIGINS: Record<string, string> = {
  created: 'created by Backstage',
  bound: 'bound by the platform team',
  migrated: 'inferred from earlier mappings',
};

type Pending =
  | { kind: 'bind'; candidate: BindingCandidate; entityRef: string }
  | { kind: 'unbind'; binding: ApplicationBinding };

/**
 * Application bindings (issue 10 item 1): applications that an annotation names but no entity
 * owns, with the entities naming them and a Bind button each, and the recorded bindings with
 * Unbind. Both changes need `apim.applications.bind` (the buttons say so when it is missing) and
 * are confirmed first; the backend audits them.
 *
 * @param props.onCount - told how many applications wait to be bound
 */
export function BindingsTab(props: { onCount?: (count: string) => void }) {
  const api = useApi(apimCredentialsApiRef);
  const permission = usePermission({
    permission: apimApplicationsBindPermission,
  });
  const [pending, setPending] = useState<Pending>();
  const [done, setDone] = useState<string>();
  const state = useAsyncRetry(async () => {
    const [candidates, bindings] = await Promise.all([
      api.getBindingCandidates(),
      api.getBindings(),
    ]);
    return { candidates, bindings };
  }, [api]);
  const candidateCount = state.value?.candidates.length;
  useReportCount(
    candidateCount === undefined ? undefined : String(candidateCount),
    props.onCount,
  );

  const mayChange = permission.allowed;
  const reason = permission.loading
    ? 'Checking your permissions…'
    : 'You need the apim.applications.bind permission to bind or unbind applications';

  const confirm = async () => {
    if (!pending) return;
    if (pending.kind === 'bind') {
      await api.bindApplication({
        instance: pending.candidate.instance,
        applicationName: pending.candidate.applicationName,
        entityRef: pending.entityRef,
      });
      setDone(
        `Bound ${pending.candidate.applicationName} (${pending.candidate.instance}) to ${pending.entityRef}.`,
      );
    } else {
      // Only the key: the table decorates its rows with its own state.
      await api.unbindApplication({
        instance: pending.binding.instance,
        applicationId: pending.binding.applicationId,
      });
      setDone(
        `Unbound ${pending.binding.applicationName} (${pending.binding.instance}) from ${pending.binding.entityRef}.`,
      );
    }
    setPending(undefined);
    state.retry();
  };

  if (state.error) {
    return <LoadFailure what="application bindings" error={state.error} />;
  }
  return (
    <>
      {!mayChange && (
        <Typography variant="body2" color="textSecondary" paragraph>
          {reason}.
        </Typography>
      )}
      {done && <StatusNote>{done}</StatusNote>}
      <Table<BindingCandidate>
        title="Applications named by an annotation but not bound"
        isLoading={state.loading}
        data={state.value?.candidates ?? []}
        options={DENSE_TABLE_OPTIONS}
        columns={[
          { title: 'Application', field: 'applicationName' },
          { title: 'Instance', field: 'instance' },
          {
            title: 'Named by',
            field: 'entityRefs',
            render: c => (
              <Box display="flex" flexDirection="column" style={{ gap: 4 }}>
                {c.entityRefs.map(ref => (
                  <Box
                    key={ref}
                    display="flex"
                    alignItems="center"
                    style={{ gap: 8 }}
                  >
                    <EntityRefLink entityRef={ref} />
                    <Button
                      size="small"
                      variant="outlined"
                      color="primary"
                      disabled={!mayChange}
                      title={mayChange ? undefined : reason}
                      aria-label={`Bind ${c.applicationName} to ${ref}`}
                      onClick={() =>
                        setPending({
                          kind: 'bind',
                          candidate: c,
                          entityRef: ref,
                        })
                      }
                    >
                      Bind
                    </Button>
                  </Box>
                ))}
              </Box>
            ),
          },
        ]}
        emptyContent={
          <EmptyTableMessage>
            Every application that an annotation names is bound to an entity.
          </EmptyTableMessage>
        }
      />
      <Box mt={3}>
        <Table<ApplicationBinding>
          title="Bound applications"
          isLoading={state.loading}
          data={state.value?.bindings ?? []}
          options={DENSE_TABLE_OPTIONS}
          columns={[
            { title: 'Application', field: 'applicationName' },
            { title: 'Instance', field: 'instance' },
            entityColumn<ApplicationBinding>(),
            {
              title: 'How',
              field: 'origin',
              render: b => ORIGINS[b.origin] ?? b.origin,
            },
            {
              title: 'Bound',
              field: 'boundAt',
              render: b => (
                <ActorCell who={b.boundBy} plainUnlessRef>
                  {formatDateTime(b.boundAt)}
                </ActorCell>
              ),
            },
            {
              title: '',
              field: 'applicationId',
              render: b => (
                <Button
                  size="small"
                  disabled={!mayChange}
                  title={mayChange ? undefined : reason}
                  aria-label={`Unbind ${b.applicationName} from ${b.entityRef}`}
                  onClick={() => setPending({ kind: 'unbind', binding: b })}
                >
                  Unbind
                </Button>
              ),
            },
          ]}
          emptyContent={
            <EmptyTableMessage>No application is bound yet.</EmptyTableMessage>
          }
        />
      </Box>
      {pending?.kind === 'bind' && (
        <ConfirmDialog
          title={`Bind ${pending.candidate.applicationName}?`}
          confirmLabel="Bind"
          onConfirm={confirm}
          onClose={() => setPending(undefined)}
        >
          <Typography variant="body2" paragraph>
            API-M application <b>{pending.candidate.applicationName}</b> in
            instance <b>{pending.candidate.instance}</b> will belong to{' '}
            <b>{pending.entityRef}</b>: its owners may then read, provide and
            remove its keys.
            {pending.candidate.entityRefs.length > 1 &&
              ` The other ${
                pending.candidate.entityRefs.length - 1
              } entities naming it will be refused.`}{' '}
            This is recorded in the audit log.
          </Typography>
        </ConfirmDialog>
      )}
      {pending?.kind === 'unbind' && (
        <ConfirmDialog
          title={`Unbind ${pending.binding.applicationName}?`}
          confirmLabel="Unbind"
          onConfirm={confirm}
          onClose={() => setPending(undefined)}
        >
          <Typography variant="body2" paragraph>
            <b>{pending.binding.entityRef}</b> will no longer act on API-M
            application <b>{pending.binding.applicationName}</b> (
            {pending.binding.instance}) until it is bound again. Nothing changes
            in API-M: its keys stay mapped. This is recorded in the audit log.
          </Typography>
        </ConfirmDialog>
      )}
    </>
  );
}
