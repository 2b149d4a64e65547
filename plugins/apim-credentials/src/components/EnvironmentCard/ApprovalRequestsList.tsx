import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import type {
  ApprovalRequest,
  ApprovalState,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { PermissionGatedButton } from '../common';
import { formatDateTime } from '../common/format';

const COLORS: Record<ApprovalState, 'default' | 'primary' | 'secondary'> = {
  pending: 'default',
  approved: 'primary',
  rejected: 'secondary',
  expired: 'default',
  used: 'default',
};

/**
 * The requests worth showing on the card: the newest per key manager and client (the backend
 * lists newest first), without those already used (the mapping shows instead).
 */
export function visibleRequests(requests: ApprovalRequest[] = []) {
  const seen = new Set<string>();
  return requests.filter(r => {
    const key = `${r.keyManager}\u0000${r.consumerKey}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return r.state !== 'used';
  });
}

function explain(r: ApprovalRequest): string {
  const decided = `${r.decidedBy ?? 'an approver'}${
    r.comment ? `: "${r.comment}"` : ''
  }`;
  switch (r.state) {
    case 'pending':
      return `Requested by ${r.requestedBy} on ${formatDateTime(
        r.requestedAt,
      )}; waits for an approver until ${formatDateTime(r.expiresAt)}.`;
    case 'approved':
      return `Approved by ${decided}. Provide the client and its secret again before ${formatDateTime(
        r.expiresAt,
      )} to map it.`;
    case 'rejected':
      return `Rejected by ${decided}. Providing this client again files a new request.`;
    case 'expired':
      return `Expired on ${formatDateTime(
        r.expiresAt,
      )} without being used. Providing this client again files a new request.`;
    default:
      return '';
  }
}

/**
 * The entity's approval requests in an environment that requires approval (issue 14 item 1):
 * each with its state, and for an approved one the button that opens the Provide dialog
 * pre-filled to complete it (the secret is asked again: it was never kept).
 */
export function ApprovalRequestsList(props: {
  environmentTitle: string;
  requests?: ApprovalRequest[];
  keyManagerTitle: (name: string) => string;
  completeDisabledReason?: string;
  describedBy?: string;
  onComplete: (request: ApprovalRequest) => void;
}) {
  const shown = visibleRequests(props.requests);
  if (shown.length === 0) return null;
  return (
    <Box
      component="ul"
      aria-label={`Approval requests of ${props.environmentTitle}`}
      style={{ listStyle: 'none', padding: 0, margin: '0 0 8px 0' }}
    >
      {shown.map(r => (
        <Box
          component="li"
          key={r.id}
          display="flex"
          alignItems="center"
          style={{ gap: 8 }}
          py={0.5}
          data-testid={`approval-request-${r.state}`}
        >
          <Chip
            size="small"
            label={r.state}
            color={COLORS[r.state]}
            variant={r.state === 'approved' ? 'default' : 'outlined'}
          />
          <Box flex={1}>
            <Typography variant="body2">
              Client {r.consumerKey} ({props.keyManagerTitle(r.keyManager)})
            </Typography>
            <Typography variant="caption" color="textSecondary">
              {explain(r)}
            </Typography>
          </Box>
          {r.state === 'approved' && (
            <PermissionGatedButton
              size="small"
              variant="contained"
              color="primary"
              disabledReason={props.completeDisabledReason}
              describedBy={props.describedBy}
              aria-label={`Complete the approved request for ${r.consumerKey} in ${props.environmentTitle}`}
              onClick={() => props.onComplete(r)}
            >
              Complete…
            </PermissionGatedButton>
          )}
        </Box>
      ))}
    </Box>
  );
}
