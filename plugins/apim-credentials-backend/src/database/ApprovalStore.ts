/**
 * Approval requests (issue 14 item 1; migration 20261208100000_approval_requests): filed,
 * decided, used and expired. Never a secret. State changes are conditional updates (`where
 * state = ...`), so two approvers deciding at once, or two completions using one approval,
 * cannot both win, on any replica. Filing, deciding and expiring are written in one transaction
 * with the audit row that records them (`transaction` + the trail's `trx` parameter,
 * service/approvals/ApprovalService.ts). Using is a `claim` before the mapping is made, its row
 * after, and a `release` when either fails.
 */
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import type {
  ApprovalRequest,
  ApprovalState,
  KeyType,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { ApimCredentialsDatabase } from './ApimCredentialsDatabase';

const TABLE = 'apim_credentials_approval_requests';

/** A row of `apim_credentials_approval_requests`; times in epoch ms (bigint: text on PostgreSQL). */
export interface DbApprovalRequestRow {
  id: string;
  state: ApprovalState;
  entity_ref: string;
  environment: string;
  instance: string;
  key_type: KeyType;
  key_manager: string;
  application_name: string;
  consumer_key: string;
  requested_by: string;
  requested_at: number | string;
  expires_at: number | string;
  decided_by: string | null;
  decided_at: number | string | null;
  comment: string | null;
  used_at: number | string | null;
}

/** What a new request records. */
export interface NewApprovalRequest {
  entityRef: string;
  environment: string;
  instance: string;
  keyType: KeyType;
  keyManager: string;
  applicationName: string;
  consumerKey: string;
  requestedBy: string;
  expiresAt: Date;
}

/**
 * The cell, client and application a request is for: an approval holds for the application
 * the approver saw (its name and API-M instance), not for whatever the entity's annotation
 * names later.
 */
export interface ApprovalSubject {
  entityRef: string;
  environment: string;
  instance: string;
  keyManager: string;
  applicationName: string;
  consumerKey: string;
}

const iso = (ms: number | string | null) =>
  ms === null ? undefined : new Date(Number(ms)).toISOString();

function toRequest(row: DbApprovalRequestRow, now: Date): ApprovalRequest {
  // A request past its expiry reads as expired before the job has marked it.
  const lapsed =
    (row.state === 'pending' || row.state === 'approved') &&
    Number(row.expires_at) <= now.getTime();
  return {
    id: row.id,
    state: lapsed ? 'expired' : row.state,
    entityRef: row.entity_ref,
    environment: row.environment,
    keyType: row.key_type,
    keyManager: row.key_manager,
    applicationName: row.application_name,
    consumerKey: row.consumer_key,
    requestedBy: row.requested_by,
    requestedAt: iso(row.requested_at)!,
    expiresAt: iso(row.expires_at)!,
    ...(row.decided_by ? { decidedBy: row.decided_by } : {}),
    ...(row.decided_at !== null ? { decidedAt: iso(row.decided_at) } : {}),
    ...(row.comment ? { comment: row.comment } : {}),
    ...(row.used_at !== null ? { usedAt: iso(row.used_at) } : {}),
  };
}

export class ApprovalStore {
  static async create(options: {
    database: ApimCredentialsDatabase;
  }): Promise<ApprovalStore> {
    return new ApprovalStore(options.database.client());
  }

  private constructor(private readonly knex: Knex) {}

  /** This store writing through `trx`. */
  within(trx: Knex.Transaction): ApprovalStore {
    return new ApprovalStore(trx);
  }

  /**
   * Runs `fn` in one database transaction: `approvals` writes through it, and `trx` is for the
   * other writes that must go with it (the audit row, AuditTrail.record's `trx`). Committed when
   * `fn` resolves, rolled back when it rejects (the rejection is rethrown). `fn` must not use
   * this store or any other outside `trx`: on SQLite's single connection that waits for ever.
   */
  transaction<T>(
    fn: (tx: { approvals: ApprovalStore; trx: Knex.Transaction }) => Promise<T>,
  ): Promise<T> {
    return this.knex.transaction(trx =>
      fn({ approvals: this.within(trx), trx }),
    );
  }

  /** Files a pending request and returns it. */
  async file(
    request: NewApprovalRequest,
    now = new Date(),
  ): Promise<ApprovalRequest> {
    const row: DbApprovalRequestRow = {
      id: randomUUID(),
      state: 'pending',
      entity_ref: request.entityRef,
      environment: request.environment,
      instance: request.instance,
      key_type: request.keyType,
      key_manager: request.keyManager,
      application_name: request.applicationName,
      consumer_key: request.consumerKey,
      requested_by: request.requestedBy,
      requested_at: now.getTime(),
      expires_at: request.expiresAt.getTime(),
      decided_by: null,
      decided_at: null,
      comment: null,
      used_at: null,
    };
    await this.knex(TABLE).insert(row);
    return toRequest(row, now);
  }

  async get(
    id: string,
    now = new Date(),
  ): Promise<ApprovalRequest | undefined> {
    const row = await this.knex<DbApprovalRequestRow>(TABLE)
      .where({ id })
      .first();
    return row ? toRequest(row, now) : undefined;
  }

  /**
   * The newest pending or approved, unexpired request for this cell, client and application
   * (name and instance), if any: what a `PUT` either completes (approved) or answers again
   * (pending).
   */
  async findOpen(
    subject: ApprovalSubject,
    now = new Date(),
  ): Promise<ApprovalRequest | undefined> {
    const row = await this.knex<DbApprovalRequestRow>(TABLE)
      .where({
        entity_ref: subject.entityRef,
        consumer_key: subject.consumerKey,
        environment: subject.environment,
        instance: subject.instance,
        key_manager: subject.keyManager,
        application_name: subject.applicationName,
      })
      .whereIn('state', ['pending', 'approved'])
      .andWhere('expires_at', '>', now.getTime())
      .orderBy('requested_at', 'desc')
      .first();
    return row ? toRequest(row, now) : undefined;
  }

  /** Requests by state and/or entity, newest first, at most `limit`. */
  async list(
    filter: { state?: ApprovalState; entityRef?: string; limit?: number },
    now = new Date(),
  ): Promise<ApprovalRequest[]> {
    const q = this.knex<DbApprovalRequestRow>(TABLE)
      .orderBy('requested_at', 'desc')
      .limit(filter.limit ?? 200);
    if (filter.entityRef) q.where('entity_ref', filter.entityRef);
    if (filter.state === 'expired') {
      q.where(b =>
        b
          .where('state', 'expired')
          .orWhere(o =>
            o
              .whereIn('state', ['pending', 'approved'])
              .andWhere('expires_at', '<=', now.getTime()),
          ),
      );
    } else if (filter.state === 'pending' || filter.state === 'approved') {
      q.where('state', filter.state).andWhere('expires_at', '>', now.getTime());
    } else if (filter.state) {
      q.where('state', filter.state);
    }
    return (await q).map(row => toRequest(row, now));
  }

  /**
   * Decides a pending, unexpired request. Returns false when it was not pending any more (or
   * had expired): someone else decided first.
   */
  async decide(
    id: string,
    decision: { state: 'approved' | 'rejected'; by: string; comment?: string },
    now = new Date(),
  ): Promise<boolean> {
    const changed = await this.knex(TABLE)
      .where({ id, state: 'pending' })
      .andWhere('expires_at', '>', now.getTime())
      .update({
        state: decision.state,
        decided_by: decision.by,
        decided_at: now.getTime(),
        comment: decision.comment ?? null,
      });
    return changed === 1;
  }

  /**
   * Claims an approved, unexpired request for one completion by marking it used, in one
   * conditional update: of two completions at once (or a completion racing the expiry job), only
   * one gets true. False when it was not approved and unexpired (any more).
   */
  async claim(id: string, now = new Date()): Promise<boolean> {
    const changed = await this.knex(TABLE)
      .where({ id, state: 'approved' })
      .andWhere('expires_at', '>', now.getTime())
      .update({ state: 'used', used_at: now.getTime() });
    return changed === 1;
  }

  /**
   * Gives back a claim whose completion failed: the request is approved again (and expires as
   * before), so the owner can retry. False when it was not claimed (used) any more.
   */
  async release(id: string): Promise<boolean> {
    const changed = await this.knex(TABLE)
      .where({ id, state: 'used' })
      .update({ state: 'approved', used_at: null });
    return changed === 1;
  }

  /**
   * Pending and approved requests past their expiry, oldest first, at most `limit`, as they are
   * (their state tells whether they had been approved); `expire` marks each.
   */
  async due(now = new Date(), limit = 500): Promise<ApprovalRequest[]> {
    const due = await this.knex<DbApprovalRequestRow>(TABLE)
      .whereIn('state', ['pending', 'approved'])
      .andWhere('expires_at', '<=', now.getTime())
      .orderBy('expires_at')
      .limit(limit);
    return due.map(row => ({ ...toRequest(row, now), state: row.state }));
  }

  /**
   * Marks a request returned by `due` expired, if it is still in the state `due` saw. Returns
   * false when another replica's run (or a decision) changed it first: only the one that
   * changed it reports it.
   */
  async expire(request: ApprovalRequest): Promise<boolean> {
    const changed = await this.knex(TABLE)
      .where({ id: request.id, state: request.state })
      .update({ state: 'expired' });
    return changed === 1;
  }
}
