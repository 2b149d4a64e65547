/**
 * The approval routes of the backend (issue 14 item 1) as client methods, mixed into
 * ApimCredentialsClient like the subscription methods: they share its request path (token, task
 * id, source header, coded errors).
 */
import type { RequestOptions } from './client';
import type {
  ApprovalRequest,
  ProvisionAnswer,
  ProvisionRequested,
} from './approvals';
import type { ApprovalState } from './constants';
import { RequestFn, toSearch } from './http';

/**
 * Query of {@link ApimApprovalsApi.listApprovals}.
 *
 * @public
 */
export interface ApprovalsQuery {
  state?: ApprovalState;
  /** One entity's requests; needed by callers without `apim.credentials.approve`. */
  entityRef?: string;
}

/**
 * The approval routes of the backend.
 *
 * @public
 */
export interface ApimApprovalsApi {
  /**
   * `GET /approvals`, newest first as the backend orders them. Approvers
   * (`apim.credentials.approve`) and platform readers (`apim.audit.read`) may list every request;
   * anyone else needs `entityRef` and `apim.credentials.read` on it (403 `PERMISSION_DENIED`
   * otherwise, 404 `ENTITY_NOT_FOUND` for an entity they cannot see).
   */
  listApprovals(
    query?: ApprovalsQuery,
    options?: RequestOptions,
  ): Promise<{ items: ApprovalRequest[] }>;
  /**
   * `POST /approvals/:id/approve` or `/reject` with an optional comment; answers the decided
   * request. 403 `PERMISSION_DENIED` without `apim.credentials.approve`, 403 `SELF_APPROVAL` for
   * the requester, 404 `APPROVAL_REQUEST_NOT_FOUND`, 409 `APPROVAL_REQUEST_NOT_PENDING` when
   * decided, used or expired already.
   */
  decideApproval(
    id: string,
    decision: 'approve' | 'reject',
    comment?: string,
    options?: RequestOptions,
  ): Promise<ApprovalRequest>;
}

/**
 * True for the 202 answer of a `PUT` on a cell: an approval request was filed (or is pending
 * already), nothing is mapped.
 *
 * @public
 */
export function isProvisionRequested(
  answer: ProvisionAnswer,
): answer is ProvisionRequested {
  return answer.status === 'approval-pending';
}

/**
 * The approval methods over `request`, for ApimCredentialsClient.
 *
 * @internal
 */
export function approvalMethods(request: RequestFn): ApimApprovalsApi {
  return {
    listApprovals: (query, options) =>
      request('GET', `/approvals${toSearch(query)}`, undefined, options),
    decideApproval: (id, decision, comment, options) =>
      request(
        'POST',
        `/approvals/${encodeURIComponent(id)}/${decision}`,
        comment === undefined ? {} : { comment },
        options,
      ),
  };
}
