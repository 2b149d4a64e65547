/**
 * The audit trail's table, `apim_credentials_audit`: a row per attempt, written `pending` before
 * API-M is called and completed after (service/AuditTrail.ts decides what a row says), read
 * newest first with a keyset cursor on (started_at, seq) (auditCursor.ts).
 */
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import type {
  AuditRecord,
  Page,
  ParsedAuditQuery,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { ApimCredentialsDatabase } from './ApimCredentialsDatabase';
import {
  AuditPosition,
  decodeAuditCursor,
  encodeAuditPosition,
  withoutLooserUntil,
} from './auditCursor';
import { canonicalRef, canonicalRefOrNull } from './canonicalRef';
import { DEFAULT_COUNT_CAP, countRows, pageOf } from './countRows';
import { coalesceDeniedRow } from './deniedRows';
import { DbAuditRow, DbAuditRowRead, toAuditRecord } from './rows';
import { Timestamps } from './timestamps';
import type { AuditCompletion, AuditStart } from './auditTypes';

const AUDIT = 'apim_credentials_audit';

export type { AuditCompletion, AuditStart } from './auditTypes';

/**
 * Whether a `denied` row is written, and with what note appended to its message; see
 * service/attemptLimits.ts (repeated denials must not bury an entity's history).
 */
export type DeniedRowGate = (
  start: AuditStart,
) => Promise<{ write: boolean; note?: string }>;

const MAX_MESSAGE = 2000;

export class AuditStore {
  /**
   * The audit table of a migrated database. `deniedRows` decides per `denied` row of
   * `recordAudit` whether it is written; without it every denial is a row. `countCap` is how
   * far `queryAudit` counts its total (countRows.ts; default 10,000, smaller in tests).
   */
  static async create(options: {
    database: ApimCredentialsDatabase;
    deniedRows?: DeniedRowGate;
    countCap?: number;
  }): Promise<AuditStore> {
    return new AuditStore(
      options.database.client(),
      options.deniedRows,
      options.countCap,
    );
  }

  private readonly time: Timestamps;

  private constructor(
    private readonly knex: Knex,
    private readonly deniedRows?: DeniedRowGate,
    private readonly countCap = DEFAULT_COUNT_CAP,
  ) {
    this.time = new Timestamps(knex);
  }

  /** This store writing through `trx` (ApimCredentialsDatabase.transaction). */
  within(trx: Knex.Transaction): AuditStore {
    return new AuditStore(trx, this.deniedRows, this.countCap);
  }

  /** Audit rows with their times as full-precision UTC text (see Timestamps). */
  private audits(): Knex.QueryBuilder {
    return this.knex(AUDIT).select(
      `${AUDIT}.*`,
      this.time.select('started_at', 'started_at_utc'),
      this.time.select('finished_at', 'finished_at_utc'),
    );
  }

  private toRecord = (row: DbAuditRowRead): AuditRecord =>
    toAuditRecord(row, this.time);

  private startRow(
    start: AuditStart,
    id: string,
    now: Date,
  ): Omit<
    DbAuditRow,
    | 'seq'
    | 'finished_at'
    | 'error_code'
    | 'error_message'
    | 'resolution'
    | 'note'
    | 'key_mapping_id'
    | 'verified'
    | 'started_at'
  > & { started_at: Knex.Value } {
    return {
      id,
      started_at: this.time.value(now),
      actor: canonicalRef(start.actor),
      source: start.source,
      via: start.via ?? null,
      task_id: start.taskId ?? null,
      action: start.action,
      outcome: 'pending',
      entity_ref: canonicalRefOrNull(start.entityRef),
      environment: start.environment ?? null,
      instance: start.instance ?? null,
      key_type: start.keyType ?? null,
      key_manager: start.keyManager ?? null,
      application_id: start.applicationId ?? null,
      application_name: start.applicationName ?? null,
      consumer_key: start.consumerKey ?? null,
      request_id: start.requestId ?? null,
      dry_run: start.dryRun === true,
      api_ref: start.apiRef ?? null,
      api_id: start.apiId ?? null,
      api_name: start.apiName ?? null,
    };
  }

  private completionRow(completion: AuditCompletion, now: Date) {
    const row: Record<string, unknown> = {
      outcome: completion.outcome,
      finished_at: this.time.value(now),
      error_code: completion.errorCode ?? null,
      error_message: completion.errorMessage?.slice(0, MAX_MESSAGE) ?? null,
      resolution: completion.resolution ?? null,
      note: completion.note?.slice(0, MAX_MESSAGE) ?? null,
    };
    if (completion.applicationId) row.application_id = completion.applicationId;
    if (completion.applicationName)
      row.application_name = completion.applicationName;
    if (completion.keyMappingId) row.key_mapping_id = completion.keyMappingId;
    if (completion.consumerKey) row.consumer_key = completion.consumerKey;
    if (completion.verified !== undefined) row.verified = completion.verified;
    if (completion.apiId) row.api_id = completion.apiId;
    if (completion.apiName) row.api_name = completion.apiName;
    return row;
  }

  /** Inserts a `pending` row and returns its id; called before API-M is contacted. */
  async startAudit(start: AuditStart, now = new Date()): Promise<string> {
    const id = randomUUID();
    await this.knex(AUDIT).insert(this.startRow(start, id, now));
    return id;
  }

  /** Completes the row `id` (a no-op for an unknown id). */
  async completeAudit(
    id: string,
    completion: AuditCompletion,
    now = new Date(),
  ): Promise<void> {
    await this.completeAuditQuery(id, completion, now);
  }

  /** The statement of completeAudit, not yet run: for a caller that joins it to another. */
  completeAuditQuery(
    id: string,
    completion: AuditCompletion,
    now = new Date(),
  ): Knex.QueryBuilder {
    return this.knex(AUDIT)
      .where({ id })
      .update(this.completionRow(completion, now));
  }

  /**
   * Writes a finished attempt as one row (one insert) and returns its id. A `denied` row first
   * passes the `deniedRows` gate (issue 10 item 5): `undefined` when the gate dropped it.
   */
  async recordAudit(
    start: AuditStart,
    completion: AuditCompletion,
  ): Promise<string | undefined> {
    // A repeat of a denial within the window counts on the earlier row (deniedRows.ts).
    if (completion.outcome === 'denied') {
      const same = await coalesceDeniedRow(
        this.knex,
        this.time,
        start,
        completion,
      );
      if (same) return same;
    }
    let finished = completion;
    if (finished.outcome === 'denied' && this.deniedRows) {
      const decision = await this.deniedRows(start);
      if (!decision.write) return undefined;
      if (decision.note) {
        finished = {
          ...finished,
          errorMessage: `${finished.errorMessage ?? 'denied'}${decision.note}`,
        };
      }
    }
    const now = new Date();
    const id = randomUUID();
    await this.knex(AUDIT).insert({
      ...this.startRow(start, id, now),
      ...this.completionRow(finished, now),
    });
    return id;
  }

  async getAudit(id: string): Promise<AuditRecord | undefined> {
    const row: DbAuditRowRead | undefined = await this.audits()
      .where({ id })
      .first();
    return row ? this.toRecord(row) : undefined;
  }

  /** Rows still `pending` that started before `olderThan`, oldest first. */
  async listPendingAudits(
    olderThan: Date,
    limit = 100,
  ): Promise<AuditRecord[]> {
    const rows: DbAuditRowRead[] = await this.audits()
      .where({ outcome: 'pending' })
      .andWhere('started_at', '<', this.time.value(olderThan))
      .orderBy('seq', 'asc')
      .limit(limit);
    return rows.map(this.toRecord);
  }

  /**
   * Provisioning attempts since `since` that failed because API-M's answer never arrived in a
   * usable form (`errorCodes`): API-M may have written the mapping after we gave up.
   */
  async listInconclusiveProvisions(
    since: Date,
    errorCodes: string[],
    limit = 500,
  ): Promise<AuditRecord[]> {
    const rows: DbAuditRowRead[] = await this.audits()
      .where({ outcome: 'failed', action: 'provision' })
      .whereIn('error_code', errorCodes)
      .andWhere('started_at', '>=', this.time.value(since))
      .orderBy('started_at', 'asc')
      .limit(limit);
    return rows.map(this.toRecord);
  }

  private auditQuery(
    query: Omit<ParsedAuditQuery, 'limit' | 'cursor'>,
    position?: AuditPosition,
  ) {
    const q = this.audits();
    if (query.entityRef) q.where('entity_ref', canonicalRef(query.entityRef));
    if (query.environment) q.where('environment', query.environment);
    if (query.actor) q.where('actor', canonicalRef(query.actor));
    if (query.action) q.where('action', query.action);
    if (query.outcome) q.where('outcome', query.outcome);
    const { since, until } = withoutLooserUntil(query, position);
    if (since) q.where('started_at', '>=', this.time.value(new Date(since)));
    if (until) q.where('started_at', '<', this.time.value(new Date(until)));
    // The row-value comparison lets every engine use the (filter, started_at, seq) indexes as a
    // range, so a deep page costs what the first does.
    if (position) {
      q.whereRaw('(started_at, seq) < (?, ?)', [
        this.time.cursorValue(position.startedAt),
        position.seq,
      ]);
    }
    return q.orderBy([
      { column: 'started_at', order: 'desc' },
      { column: 'seq', order: 'desc' },
    ]);
  }

  /** The position after `row`, with its start time as precise as the database kept it. */
  private positionOf(row: DbAuditRowRead) {
    return {
      startedAt: this.time.cursorText(row.started_at_utc ?? row.started_at),
      seq: row.seq,
    };
  }

  /**
   * Newest first, keyset-paginated on (started_at, seq) so any page costs the same. The first
   * page (no cursor) carries the filters' `total`, counted up to the store's cap (countRows.ts)
   * and not at all when the page holds every match.
   */
  async queryAudit(query: ParsedAuditQuery): Promise<Page<AuditRecord>> {
    const position = query.cursor ? decodeAuditCursor(query.cursor) : undefined;
    const rows: DbAuditRowRead[] = await this.auditQuery(query, position).limit(
      query.limit + 1,
    );
    // Counted with the first page only: the platform page's tab shows it (issue 15 item 5).
    return pageOf(rows, {
      limit: query.limit,
      firstPage: !position,
      toItem: this.toRecord,
      cursorOf: row => encodeAuditPosition(this.positionOf(row)),
      count: () => countRows(this.knex, this.auditQuery(query), this.countCap),
    });
  }

  /** Streams every matching row in pages, newest first, in bounded memory. */
  async *streamAudit(
    query: Omit<ParsedAuditQuery, 'limit' | 'cursor'>,
    batchSize = 1000,
  ): AsyncGenerator<AuditRecord> {
    let position: AuditPosition | undefined;
    for (;;) {
      const rows: DbAuditRowRead[] = await this.auditQuery(
        query,
        position,
      ).limit(batchSize);
      for (const row of rows) yield this.toRecord(row);
      if (rows.length < batchSize) return;
      position = decodeAuditCursor(
        encodeAuditPosition(this.positionOf(rows[rows.length - 1])),
      );
    }
  }
}
