/**
 * Approval before provisioning (issue 14 item 1), without ever holding the secret:
 *
 * 1. An owner provides a client in an environment whose `approval.required` is set. Without an
 *    approved request for exactly that cell and client, the credentials are verified at the key
 *    manager right away (approvers judge a client that works), a request is filed with
 *    everything but the secret, and the answer is 202 with the request. Asking again while it
 *    is pending answers the same request.
 * 2. Someone holding `apim.credentials.approve`, never the requester, approves or rejects it.
 * 3. The owner provides the client again (the secret again); with an approved, unexpired
 *    request the mapping is made as anywhere else and the request is marked used.
 *
 * Requests expire after `approval.expiresAfter`. Every step is an audit row with its own action,
 * written in one database transaction with the request's change (filed, decided, used, expired):
 * a crash between the two writes leaves neither. Notifications go out after the commit.
 */
import {
  NotAllowedError,
  NotFoundError,
  ConflictError,
} from '@backstage/errors';
import type {
  ApprovalRequest,
  ProvisionRequested,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { EnvironmentConfig } from '../../config';
import type { AuditStart } from '../../database/AuditStore';
import type { ApprovalStore } from '../../database/ApprovalStore';
import { coded } from '../../errors';
import type { ApprovalNotices } from '../../notifications/approvalNotifications';
import type { AuditTrail } from '../AuditTrail';
import { refusal } from '../credentialCheck';
import type { ProvisioningService } from '../ProvisioningService';
import type {
  Caller,
  ProvisionInput,
  ProvisionOutcome,
} from '../provisioningTypes';

export class ApprovalService {
  constructor(
    private readonly deps: {
      provisioning: Pick<
        ProvisioningService,
        'environment' | 'provision' | 'verify'
      >;
      approvals: ApprovalStore;
      trail: AuditTrail;
      notices?: ApprovalNotices;
    },
  ) {}

  /**
   * Provisions, or files (or finds) the approval request when the environment requires one.
   *
   * @returns the mapping (as ProvisioningService.provision), or `approval-pending` with the
   *   request (the route answers 202)
   * @throws what provisioning throws; VERIFICATION_FAILED (400) when filing a request for
   *   credentials the key manager refuses
   */
  async provision(
    input: ProvisionInput,
    caller: Caller,
    now = new Date(),
  ): Promise<ProvisionOutcome | ProvisionRequested> {
    const { provisioning, approvals } = this.deps;
    const env = provisioning.environment(input.environment);
    const settings = env.approval;
    if (!settings) return provisioning.provision(input, caller);
    const open = await approvals.findOpen(input, now);
    if (open?.state === 'approved') {
      const result = await provisioning.provision(input, caller);
      if (!input.dryRun) await this.complete(open, env, caller, now);
      return result;
    }
    if (open?.state === 'pending')
      return { status: 'approval-pending', request: open };
    if (input.dryRun) {
      const plan = await provisioning.provision(input, caller);
      return {
        ...plan,
        warning: `${env.title} requires approval: providing this client files a request for an approver (apim.credentials.approve) before anything is mapped`,
      };
    }
    const verified = await provisioning.verify(input, caller);
    if (!verified.ok) throw refusal(verified);
    const fields = {
      entityRef: input.entityRef,
      environment: env.id,
      instance: env.instance,
      keyType: env.keyType,
      keyManager: input.keyManager,
      applicationName: input.applicationName,
      consumerKey: input.consumerKey,
      requestedBy: caller.userEntityRef,
      expiresAt: new Date(now.getTime() + settings.expiresAfterMs),
    };
    const request = await approvals.transaction(async tx => {
      const filed = await tx.approvals.file(fields, now);
      await this.deps.trail.record(
        this.row('request-approval', filed, env, caller),
        {
          outcome: 'succeeded',
          note: `Approval request ${filed.id}, verified at the key manager; expires ${filed.expiresAt}`,
        },
        tx.trx,
      );
      return filed;
    });
    await this.deps.notices?.requested(request, settings.notify);
    return { status: 'approval-pending', request };
  }

  /**
   * Approves or rejects a pending request.
   *
   * @throws 404 APPROVAL_REQUEST_NOT_FOUND; 403 SELF_APPROVAL (a `denied` row) for the
   *   requester; 409 APPROVAL_REQUEST_NOT_PENDING when decided, used or expired already
   */
  async decide(
    id: string,
    decision: 'approve' | 'reject',
    comment: string | undefined,
    approver: Caller,
    now = new Date(),
  ): Promise<ApprovalRequest> {
    const { approvals, provisioning, trail } = this.deps;
    const request = await approvals.get(id, now);
    if (!request) {
      throw coded(
        new NotFoundError(`No approval request ${id}`),
        'APPROVAL_REQUEST_NOT_FOUND',
      );
    }
    const env = provisioning.environment(request.environment);
    const start = this.row(decision, request, env, approver);
    if (request.requestedBy === approver.userEntityRef) {
      const error = coded(
        new NotAllowedError(
          `You filed approval request ${id} yourself; another approver must ${decision} it`,
        ),
        'SELF_APPROVAL',
      );
      await trail.deny(start, error);
      throw error;
    }
    const decided =
      request.state === 'pending' &&
      (await approvals.transaction(async tx => {
        const won = await tx.approvals.decide(
          id,
          {
            state: decision === 'approve' ? 'approved' : 'rejected',
            by: approver.userEntityRef,
            comment,
          },
          now,
        );
        if (won) {
          await trail.record(
            start,
            {
              outcome: 'succeeded',
              note: `Approval request ${id} ${
                decision === 'approve' ? 'approved' : 'rejected'
              }${comment ? `: ${comment}` : ''}`,
            },
            tx.trx,
          );
        }
        return won;
      }));
    if (!decided) {
      throw coded(
        new ConflictError(
          `Approval request ${id} is ${
            request.state === 'pending' ? 'decided already' : request.state
          }; only a pending request can be decided`,
        ),
        'APPROVAL_REQUEST_NOT_PENDING',
      );
    }
    const updated = (await approvals.get(id, now))!;
    await this.deps.notices?.decided(updated);
    return updated;
  }

  /** Marks due requests expired, each an `expire-request` row; returns how many. */
  async expireDue(now = new Date()): Promise<number> {
    const { approvals, provisioning, trail } = this.deps;
    let expired = 0;
    for (const request of await approvals.due(now)) {
      const env = provisioning.environment(request.environment);
      const changed = await approvals.transaction(async tx => {
        // Another replica's run may have taken it: only the one that changed it records it.
        if (!(await tx.approvals.expire(request))) return false;
        await trail.record(
          this.row('expire-request', request, env, {
            userEntityRef: request.requestedBy,
            source: 'api',
          }),
          {
            outcome: 'succeeded',
            note: `Approval request ${request.id} expired ${
              request.state === 'approved'
                ? 'approved but unused'
                : 'without a decision'
            } at ${request.expiresAt}`,
          },
          tx.trx,
        );
        return true;
      });
      if (!changed) continue;
      expired += 1;
      await this.deps.notices?.expired({ ...request, state: 'expired' });
    }
    return expired;
  }

  private async complete(
    request: ApprovalRequest,
    env: EnvironmentConfig,
    caller: Caller,
    now: Date,
  ) {
    // After the mapping: a completion that fails to be marked leaves an approval that maps the
    // same client again (unchanged), never a mapping without its approval. Marked used and
    // audited together: never used without its row, nor a row for a request still approved.
    await this.deps.approvals.transaction(async tx => {
      await tx.approvals.markUsed(request.id, now);
      await this.deps.trail.record(
        this.row('complete-request', request, env, caller),
        {
          outcome: 'succeeded',
          note: `Approval request ${request.id} (approved by ${request.decidedBy}) used to map the client`,
        },
        tx.trx,
      );
    });
  }

  private row(
    action: AuditStart['action'],
    request: ApprovalRequest,
    env: EnvironmentConfig,
    caller: Caller,
  ): AuditStart {
    return {
      ...this.deps.trail.fields(
        action,
        env,
        {
          entityRef: request.entityRef,
          applicationName: request.applicationName,
          keyManager: request.keyManager,
          consumerKey: request.consumerKey,
        },
        caller,
      ),
    };
  }
}
