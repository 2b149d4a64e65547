import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import Box from '@material-ui/core/Box';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  APPROVAL_STATES,
  apimCredentialsApprovePermission,
  ApprovalRequest,
  ApprovalState,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { apimCredentialsApiRef } from '../../api';
import { PermissionGatedButton } from '../common';
import { formatDateTime } from '../common/format';
import { LoadFailure, StatusNote, useReportCount } from '../common/notes';
import { ActorCell, DenseTable, entityColumn } from '../common/tables';
import { ConfirmDialog } from './ConfirmDialog';
import { choicesOf, SelectFilter } from './SelectFilter';

type Decision = { request: ApprovalRequest; decision: 'approve' | 'reject' };

/**
 * Approval requests for credentials in environments that require approval (issue 14 item 1):
 * pending ones first (the filter starts there; the notifications to approvers link here), each
 * with Approve and Reject and an optional comment. The buttons say why they cannot be used
 * without `apim.credentials.approve` and on the viewer's own requests (the backend refuses both
 * as well). Nothing here ever holds a secret: a request has none.
 *
 * @param props.onCount - told how many requests are pending
 */
export function ApprovalsTab(props: { onCount?: (count: string) => void }) {
  const api = useApi(apimCredentialsApiRef);
  const identityApi = useApi(identityApiRef);
  const permission = usePermission({
    permission: apimCredentialsApprovePermission,
  });
  const me = useAsync(
    async () => (await identityApi.getBackstageIdentity()).userEntityRef,
    [identityApi],
  );
  const [stateFilter, setStateFilter] = useState<ApprovalState | ''>('pending');
  const [deciding, setDeciding] = useState<Decision>();
  const [comment, setComment] = useState('');
  const [done, setDone] = useState<string>();
  const requests = useAsyncRetry(
    () => api.listApprovals(stateFilter ? { state: stateFilter } : {}),
    [api, stateFilter],
  );
  // The tab's count is the pending requests, whatever the filter shows.
  const pending = useAsyncRetry(
    () => api.listApprovals({ state: 'pending' }),
    [api],
  );
  useReportCount(pending.value?.items.length, props.onCount);

  const disabledReason = (request: ApprovalRequest) => {
    if (permission.loading) return 'Checking your permissions…';
    if (!permission.allowed) {
      return `You need the ${apimCredentialsApprovePermission.name} permission to approve or reject requests`;
    }
    if (me.value && request.requestedBy === me.value) {
      return 'You filed this request: another approver must decide it';
    }
    if (request.state !== 'pending') return `This request is ${request.state}`;
    return undefined;
  };

  const decide = async () => {
    if (!deciding) return;
    const { request, decision } = deciding;
    const decided = await api.decideApproval(
      request.id,
      decision,
      comment.trim() || undefined,
    );
    setDone(
      `${
        decision === 'approve' ? 'Approved' : 'Rejected'
      } the request for client ${decided.consumerKey} of ${
        decided.entityRef
      } in ${decided.environment}.${
        decision === 'approve'
          ? ' Its owners can now provide the client again to map it.'
          : ''
      }`,
    );
    setDeciding(undefined);
    requests.retry();
    pending.retry();
  };

  if (requests.error) {
    return <LoadFailure what="approval requests" error={requests.error} />;
  }
  return (
    <>
      <Box mb={2} display="flex" style={{ gap: 16 }} alignItems="center">
        <SelectFilter
          id="apim-approvals-state"
          label="State"
          value={stateFilter}
          options={choicesOf(APPROVAL_STATES)}
          onChange={value => setStateFilter(value as ApprovalState | '')}
        />
        {!permission.loading && !permission.allowed && (
          <Typography variant="body2" color="textSecondary">
            You may see the requests but not decide them: that needs the{' '}
            {apimCredentialsApprovePermission.name} permission.
          </Typography>
        )}
      </Box>
      {done && <StatusNote>{done}</StatusNote>}
      <DenseTable<ApprovalRequest>
        title="Approval requests"
        isLoading={requests.loading}
        data={requests.value?.items ?? []}
        columns={[
          entityColumn<ApprovalRequest>(),
          { title: 'Environment', field: 'environment' },
          { title: 'Key manager', field: 'keyManager' },
          { title: 'Consumer key', field: 'consumerKey' },
          { title: 'State', field: 'state' },
          {
            title: 'Requested',
            field: 'requestedAt',
            render: r => (
              <ActorCell who={r.requestedBy}>
                {formatDateTime(r.requestedAt)}; expires{' '}
                {formatDateTime(r.expiresAt)}
              </ActorCell>
            ),
          },
          {
            title: 'Decision',
            field: 'decidedAt',
            render: r =>
              r.decidedBy ? (
                <ActorCell who={r.decidedBy}>
                  {formatDateTime(r.decidedAt)}
                  {r.comment ? `: ${r.comment}` : ''}
                </ActorCell>
              ) : null,
          },
          {
            title: '',
            field: 'id',
            render: r =>
              r.state === 'pending' && (
                <Box display="flex" style={{ gap: 8, whiteSpace: 'nowrap' }}>
                  {(['approve', 'reject'] as const).map(decision => (
                    <PermissionGatedButton
                      key={decision}
                      size="small"
                      variant={decision === 'approve' ? 'outlined' : 'text'}
                      color="primary"
                      disabledReason={disabledReason(r)}
                      aria-label={`${
                        decision === 'approve' ? 'Approve' : 'Reject'
                      } the request for ${r.consumerKey} of ${r.entityRef}`}
                      onClick={() => {
                        setComment('');
                        setDeciding({ request: r, decision });
                      }}
                    >
                      {decision === 'approve' ? 'Approve' : 'Reject'}
                    </PermissionGatedButton>
                  ))}
                </Box>
              ),
          },
        ]}
        empty={
          stateFilter === 'pending'
            ? 'No request waits for a decision.'
            : 'No approval request matches.'
        }
      />
      {deciding && (
        <ConfirmDialog
          title={`${
            deciding.decision === 'approve' ? 'Approve' : 'Reject'
          } the request for ${deciding.request.consumerKey}?`}
          confirmLabel={deciding.decision === 'approve' ? 'Approve' : 'Reject'}
          onConfirm={decide}
          onClose={() => setDeciding(undefined)}
        >
          <Typography variant="body2" paragraph>
            <b>{deciding.request.requestedBy}</b> asks to map client{' '}
            <b>{deciding.request.consumerKey}</b> ({deciding.request.keyManager}
            ) into <b>{deciding.request.applicationName}</b> of{' '}
            <b>{deciding.request.entityRef}</b> in{' '}
            <b>{deciding.request.environment}</b>. The credentials were verified
            with the key manager when the request was filed.{' '}
            {deciding.decision === 'approve'
              ? 'Once approved, an owner maps it by providing the client and its secret again before the request expires.'
              : 'A rejected request cannot be used; the owner would have to file a new one.'}{' '}
            This is recorded in the audit log.
          </Typography>
          <TextField
            id="apim-approval-comment"
            label="Comment (optional)"
            value={comment}
            onChange={e => setComment(e.target.value)}
            fullWidth
            multiline
            minRows={2}
            inputProps={{ maxLength: 1000 }}
          />
        </ConfirmDialog>
      )}
    </>
  );
}
