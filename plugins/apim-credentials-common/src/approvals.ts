/**
 * Approval of credentials in environments that require it (issue 14 item 1): the shapes of the
 * REST API's approval requests. A request holds everything about the client except its secret:
 * the owner gives the secret once to file the request (it is verified at the key manager and
 * forgotten) and once more to complete the mapping after approval.
 */
import { z } from 'zod/v4';
import type { ApprovalState, KeyType } from './constants';
import type { ProvisionResult } from './types';

/**
 * One approval request, as the REST API returns it (`GET /approvals`, the 202 of a `PUT` on an
 * environment that requires approval). Times are ISO 8601 UTC strings.
 *
 * @public
 */
export interface ApprovalRequest {
  id: string;
  state: ApprovalState;
  entityRef: string;
  environment: string;
  keyType: KeyType;
  keyManager: string;
  applicationName: string;
  consumerKey: string;
  requestedBy: string;
  requestedAt: string;
  /** After this instant, a pending or approved request can no longer be used. */
  expiresAt: string;
  decidedBy?: string;
  decidedAt?: string;
  /** The approver's comment (approval or rejection). */
  comment?: string;
  /** When the request was used to map the client. */
  usedAt?: string;
}

/**
 * The answer of `PUT .../credentials/:environment/:keyManager` in an environment that requires
 * approval and has no approved request for this client: HTTP 202, nothing mapped.
 *
 * @public
 */
export interface ProvisionRequested {
  status: 'approval-pending';
  request: ApprovalRequest;
}

/**
 * What a `PUT` on a cell answers: the mapping, or (202) the approval request it filed.
 *
 * @public
 */
export type ProvisionAnswer = ProvisionResult | ProvisionRequested;

/**
 * Body of `POST /approvals/:id/approve` and `/reject`.
 *
 * @public
 */
export const approvalDecisionSchema = z.strictObject({
  comment: z
    .string({ error: 'comment must be a string' })
    .max(1000, { error: 'comment must be at most 1000 characters' })
    .optional(),
});

/**
 * Query of `GET /approvals`: by state and/or entity; approvers see every request, an entity's
 * readers that entity's.
 *
 * @public
 */
export const approvalsQuerySchema = z.strictObject({
  state: z
    .enum(['pending', 'approved', 'rejected', 'expired', 'used'], {
      error: 'state must be pending, approved, rejected, expired or used',
    })
    .optional(),
  entityRef: z.string().max(300).optional(),
});
