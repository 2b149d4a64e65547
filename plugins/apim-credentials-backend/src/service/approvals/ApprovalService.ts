/**
 * Approval before provisioning (issue 14 item 1), without ever holding the secret:
 *
 * 1. An owner provides a client in an environment whose `approval.required` is set. Without an
 *    approved request for exactly that cell, client and application, the credentials are
 *    verified at the key manager right away (approvers judge a client that works), a request is filed with
 *    everything but the secret, and the answer is 202 with the request. Asking again while it
 *    is pending answers the same request.
 * 2. Someone holding `apim.credentials.approve`, never the requester, approves or rejects it.
 * 3. The owner provides the client again (the secret again); an approved, unexpired request
 *    for that cell, client and application is claimed (marked used), then the mapping is made
 *    as anywhere else; a failed mapping gives the claim back.
 *
 * A client the cell maps already is handed to provisioning (`unchanged`) without a request.
 *
 * Requests expire after `approval.expiresAfter` (rows of the plugin's own SYSTEM_CALLER). Every
 * step is an audit row with its own action; filing, deciding and expiring are written in one
 * database transaction with the request's change, so a crash between the two writes leaves
 * neither. Using is claim, mapping, row: a request is `used` without its row only while it is
 * being completed, or after a crash in between. Notifications go out after the commit.
 */
import {
  NotAllowedError,
  NotFoundError,
  ConflictError,
} from '@backstage/errors';
import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  canonicalEntityRef,
  type ApprovalRequest,
  type ProvisionRequested,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { EnvironmentConfig } from '../../config';
import type { AuditStart } from '../../database/AuditStore';
import type {
  ApprovalStore,
  ApprovalSubject,
} from '../../database/ApprovalStore';
import type { MappingStore } from '../../database/MappingStore';
import { coded } from '../../errors';
import type { ApprovalNotices } from '../../notifications/approvalNotifications';
import { SYSTEM_CALLER } from '../../caller';
import { auditStart, type AuditTrail } from '../AuditTrail';
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
      /** The mapping table: a client the cell maps already is not approved again. */
      mappings: Pick<MappingStore, 'getMappingsForEntity'>;
      trail: AuditTrail;
      notices?: ApprovalNotices;
      /** Where a claim that could not be given back is reported. */
      logger?: Pick<LoggerService, 'warn'>;
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
    const subject = { ...input, environment: env.id, instance: env.instance };
    const open = await approvals.findOpen(subject, now);
    if (open?.state === 'approved') {
      if (input.dryRun) return provisioning.provision(input, caller);
      return this.complete(open, input, env, caller, now);
    }
    // Confirming what the cell maps already is no new key for anyone to approve: provisioning
    // answers `unchanged` (after checking the secret), and no request is filed nor notified.
    if (await this.mapsAlready(subject)) {
      return provisioning.provision(input, caller);
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
   * Approves or rejects a pending request. `mayApprove` is the permission decision on
   * `apim.credentials.approve` for `approver` (Access.isAllowed); the refusal is decided and
   * audited here, so that a denied decision's row is built like every other row.
   *
   * @throws 403 NotAllowedError (a `denied` row naming the request's cell, if it exists) without
   *   the permission; 404 APPROVAL_REQUEST_NOT_FOUND; 403 SELF_APPROVAL (a `denied` row) for
   *   the requester; 409 APPROVAL_REQUEST_NOT_PENDING when decided, used or expired already
   */
  async decide(
    id: string,
    decision: 'approve' | 'reject',
    comment: string | undefined,
    approver: Caller,
    mayApprove: boolean,
    now = new Date(),
  ): Promise<ApprovalRequest> {
    const { approvals, provisioning, trail } = this.deps;
    const request = await approvals.get(id, now);
    if (!mayApprove) {
      const error = coded(
        new NotAllowedError(
          `You may not ${decision} approval requests; ask for apim.credentials.approve`,
        ),
        'PERMISSION_DENIED',
      );
      // Without an environment lookup: a request of an environment since removed is still named.
      await trail.deny(
        auditStart(decision, approver, {
          entityRef: request && canonicalEntityRef(request.entityRef),
          environment: request?.environment,
          keyType: request?.keyType,
          keyManager: request?.keyManager,
          applicationName: request?.applicationName,
          consumerKey: request?.consumerKey,
        }),
        error,
      );
      throw error;
    }
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
          this.row('expire-request', request, env, SYSTEM_CALLER),
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

  /**
   * Uses an approved request: claims it first (one conditional update, so that of two
   * completions at once, or one racing the expiry, only one maps), then maps, then writes the
   * `complete-request` row. When the mapping or the row fails, the claim is given back (the
   * request is approved again) and the error thrown, so the owner can retry; a retry after a
   * mapping that was made answers `unchanged` and completes the request.
   *
   * @throws 409 APPROVAL_REQUEST_NOT_PENDING when another completion claimed it (or it expired)
   *   first; what provisioning throws
   */
  private async complete(
    request: ApprovalRequest,
    input: ProvisionInput,
    env: EnvironmentConfig,
    caller: Caller,
    now: Date,
  ): Promise<ProvisionOutcome> {
    const { approvals, provisioning, trail } = this.deps;
    if (!(await approvals.claim(request.id, now))) {
      throw coded(
        new ConflictError(
          `Approval request ${request.id} was just used by another provisioning of this client, or has expired; provide the client again to see where it stands`,
        ),
        'APPROVAL_REQUEST_NOT_PENDING',
      );
    }
    try {
      const result = await provisioning.provision(input, caller);
      await trail.record(this.row('complete-request', request, env, caller), {
        outcome: 'succeeded',
        note: `Approval request ${request.id} (approved by ${request.decidedBy}) used to map the client`,
      });
      return result;
    } catch (error) {
      try {
        await approvals.release(request.id);
      } catch (releaseError) {
        this.deps.logger?.warn(
          `Could not give back approval request ${request.id} after a failed completion; it stays used: ${releaseError}`,
        );
      }
      throw error;
    }
  }

  /** Whether the cell maps this client into this application already. */
  private async mapsAlready(subject: ApprovalSubject): Promise<boolean> {
    const mappings = await this.deps.mappings.getMappingsForEntity(
      subject.entityRef,
    );
    return mappings.some(
      m =>
        m.environment === subject.environment &&
        m.instance === subject.instance &&
        m.keyManager === subject.keyManager &&
        m.applicationName === subject.applicationName &&
        m.consumerKey === subject.consumerKey,
    );
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
