import Alert from '@material-ui/lab/Alert';
import type {
  ApprovalRequest,
  EnvironmentInfo,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { formatDateTime } from '../common/format';

/**
 * What providing does in an environment that requires approval (issue 14 item 1): file a
 * request, or complete the approved request of exactly this key manager and client.
 */
export type ApprovalMode =
  | { kind: 'none' }
  | { kind: 'request' }
  | { kind: 'complete'; request: ApprovalRequest };

/**
 * @param approved - the entity's approved (unused, unexpired) requests in this environment
 */
export function approvalMode(
  environment: EnvironmentInfo,
  approved: ApprovalRequest[] | undefined,
  keyManager: string,
  consumerKey: string,
): ApprovalMode {
  if (!environment.approvalRequired) return { kind: 'none' };
  const request = approved?.find(
    r =>
      r.state === 'approved' &&
      r.keyManager === keyManager &&
      r.consumerKey === consumerKey.trim(),
  );
  return request ? { kind: 'complete', request } : { kind: 'request' };
}

/** "Request production keys", the card's and the dialog's words for filing a request. */
export function requestKeysLabel(environment: EnvironmentInfo): string {
  return `Request ${environment.keyType.toLowerCase()} keys`;
}

/** Says what the dialog will do in an environment that requires approval. */
export function ApprovalNotice(props: {
  mode: ApprovalMode;
  environment: EnvironmentInfo;
  keyManagerTitle: string;
}) {
  const { mode, environment } = props;
  if (mode.kind === 'request') {
    return (
      <Alert severity="info" role="note" data-testid="approval-notice">
        {environment.title} requires approval. Your client is verified with{' '}
        {props.keyManagerTitle} now and a request is filed for an approver
        (someone else); nothing is mapped yet. Once it is approved, provide the
        same client here again, with its secret, to map it. The secret is not
        kept.
      </Alert>
    );
  }
  if (mode.kind === 'complete') {
    const { request } = mode;
    return (
      <Alert severity="success" role="note" data-testid="approval-notice">
        {request.decidedBy ?? 'An approver'} approved client{' '}
        {request.consumerKey}
        {request.comment ? ` ("${request.comment}")` : ''}. Enter its secret
        again to map it (before {formatDateTime(request.expiresAt)}).
      </Alert>
    );
  }
  return null;
}
