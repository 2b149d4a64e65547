import { ReactNode, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/core-plugin-api';
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
import { ActorCell, DenseTable, entityColumn } from '../common/tables';
import { ConfirmDialog } from './ConfirmDialog';

const ORIGINS: Record<string, string> = {
  created: 'created by Backstage',
  bound: 'bound by the platform team',
  migrated: 'inferred from earlier mappings',
};

type Pending =
  | { kind: 'bind'; candidate: BindingCandidate; entityRef: string }
  | { kind: 'unbind'; binding: ApplicationBinding };

/** What the confirmation of a pending change says: its verb (also its button) and its effect. */
function confirmationOf(pending: Pending): {
  verb: string;
  applicationName: string;
  effect: ReactNode;
} {
  if (pending.kind === 'bind') {
    const { candidate, entityRef } = pending;
    return {
      verb: 'Bind',
      applicationName: candidate.applicationName,
      effect: (
        <>
          API-M application <b>{candidate.applicationName}</b> in instance{' '}
          <b>{candidate.instance}</b> will belong to <b>{entityRef}</b>: its
          owners may then read, provide and remove its keys.
          {candidate.entityRefs.length > 1 &&
            ` The other ${
              candidate.entityRefs.length - 1
            } entities naming it will be refused.`}
        </>
      ),
    };
  }
  const { binding } = pending;
  return {
    verb: 'Unbind',
    applicationName: binding.applicationName,
    effect: (
      <>
        <b>{binding.entityRef}</b> will no longer act on API-M application{' '}
        <b>{binding.applicationName}</b> ({binding.instance}) until it is bound
        again. Nothing changes in API-M: its keys stay mapped.
      </>
    ),
  };
}

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
  useReportCount(state.value?.candidates.length, props.onCount);

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

  const confirmation = pending && confirmationOf(pending);
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
      <DenseTable<BindingCandidate>
        title="Applications named by an annotation but not bound"
        isLoading={state.loading}
        data={state.value?.candidates ?? []}
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
        empty="Every application that an annotation names is bound to an entity."
      />
      <Box mt={3}>
        <DenseTable<ApplicationBinding>
          title="Bound applications"
          isLoading={state.loading}
          data={state.value?.bindings ?? []}
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
          empty="No application is bound yet."
        />
      </Box>
      {confirmation && (
        <ConfirmDialog
          title={`${confirmation.verb} ${confirmation.applicationName}?`}
          confirmLabel={confirmation.verb}
          onConfirm={confirm}
          onClose={() => setPending(undefined)}
        >
          <Typography variant="body2" paragraph>
            {confirmation.effect} This is recorded in the audit log.
          </Typography>
        </ConfirmDialog>
      )}
    </>
  );
}
