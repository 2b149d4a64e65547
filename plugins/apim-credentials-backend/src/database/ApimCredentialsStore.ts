/**
 * Knex access to the plugin's tables: the audit trail (written `pending` before API-M is called
 * and completed after), the current mappings, and per-cell locks that serialise provisioning
 * across backend replicas sharing one database.
 */
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import {
  DatabaseService,
  isDatabaseConflictError,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import type {
  AuditAction,
  AuditOutcome,
  AuditRecord,
  AuditSource,
  KeyType,
  MappingRecord,
  Page,
  ParsedAuditQuery,
  ParsedMappingsQuery,
} from '@internal/backstage-plugin-apim-credentials-common';

const migrationsDir = resolvePackagePath(
  '@internal/backstage-plugin-apim-credentials-backend',
  'migrations',
);

const AUDIT = 'apim_credentials_audit';
const MAPPINGS = 'apim_credentials_mappings';
const LOCKS = 'apim_credentials_locks';

/** Fields known when an attempt starts. */
export interface AuditStart {
  actor: string;
  source: AuditSource;
  via?: string;
  taskId?: string;
  action: AuditAction;
  entityRef?: string;
  environment?: string;
  instance?: string;
  keyType?: KeyType;
  keyManager?: string;
  applicationId?: string;
  applicationName?: string;
  consumerKey?: string;
  requestId?: string;
}

/** Fields set when an attempt ends. */
export interface AuditCompletion {
  outcome: Exclude<AuditOutcome, 'pending'>;
  applicationId?: string;
  applicationName?: string;
  keyMappingId?: string;
  /** Known only at the end for removals: the client that was mapped. */
  consumerKey?: string;
  errorCode?: string;
  errorMessage?: string;
}

export interface MappingUpsert {
  entityRef: string;
  environment: string;
  keyManager: string;
  instance: string;
  keyType: KeyType;
  applicationId: string;
  applicationName: string;
  consumerKey: string;
  keyMappingId: string;
  grantTypes: string[];
  provisionedBy: string;
  provisionedAt: Date;
}

type Row = Record<string, any>;

/** A held cell lock. */
export interface CellLock {
  release(): Promise<void>;
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'string' && /^\d+$/.test(value))
    return new Date(Number(value));
  return new Date(String(value));
}

function iso(value: unknown): string | undefined {
  return value === null || value === undefined
    ? undefined
    : toDate(value).toISOString();
}

function orUndefined<T>(value: T | null): T | undefined {
  return value === null ? undefined : value;
}

function encodeCursor(value: number | string): string {
  return Buffer.from(String(value)).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const value = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InputError('cursor must be a cursor returned by a previous page');
  }
  return value;
}

/** An audit page position: the last row's start time (epoch ms) and sequence number. */
interface AuditPosition {
  startedAtMs: number;
  seq: number;
}

/** The cursor of the audit page that follows `row` (exported for the benchmarks). */
export function encodeAuditCursor(row: Row): string {
  return encodeCursor(`${toDate(row.started_at).getTime()}.${row.seq}`);
}

export function decodeAuditCursor(cursor: string): AuditPosition {
  const [ms, seq] = Buffer.from(cursor, 'base64url')
    .toString('utf8')
    .split('.')
    .map(Number);
  if (
    !Number.isSafeInteger(ms) ||
    !Number.isSafeInteger(seq) ||
    ms < 0 ||
    seq < 0
  ) {
    throw new InputError('cursor must be a cursor returned by a previous page');
  }
  return { startedAtMs: ms, seq };
}

/**
 * Past the first page the cursor is a tighter upper bound than `until`; keeping both makes
 * SQLite range-scan on `until` and filter on the cursor, walking every row in between.
 */
function withoutLooserUntil<T extends { until?: string }>(
  query: T,
  position?: AuditPosition,
): T {
  if (
    !position ||
    !query.until ||
    position.startedAtMs >= new Date(query.until).getTime()
  ) {
    return query;
  }
  return { ...query, until: undefined };
}

export class ApimCredentialsStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<ApimCredentialsStore> {
    const knex = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await knex.migrate.latest({ directory: migrationsDir });
    }
    return new ApimCredentialsStore(knex);
  }

  constructor(private readonly knex: Knex) {}

  // ---- audit -------------------------------------------------------------------------------

  /** Inserts a `pending` row and returns its id; called before API-M is contacted. */
  async startAudit(start: AuditStart, now = new Date()): Promise<string> {
    const id = randomUUID();
    await this.knex(AUDIT).insert({
      id,
      started_at: now,
      actor: start.actor,
      source: start.source,
      via: start.via ?? null,
      task_id: start.taskId ?? null,
      action: start.action,
      outcome: 'pending',
      entity_ref: start.entityRef ?? null,
      environment: start.environment ?? null,
      instance: start.instance ?? null,
      key_type: start.keyType ?? null,
      key_manager: start.keyManager ?? null,
      application_id: start.applicationId ?? null,
      application_name: start.applicationName ?? null,
      consumer_key: start.consumerKey ?? null,
      request_id: start.requestId ?? null,
    });
    return id;
  }

  async completeAudit(
    id: string,
    completion: AuditCompletion,
    now = new Date(),
  ): Promise<void> {
    const update: Row = {
      outcome: completion.outcome,
      finished_at: now,
      error_code: completion.errorCode ?? null,
      error_message: completion.errorMessage?.slice(0, 2000) ?? null,
    };
    if (completion.applicationId)
      update.application_id = completion.applicationId;
    if (completion.applicationName)
      update.application_name = completion.applicationName;
    if (completion.keyMappingId)
      update.key_mapping_id = completion.keyMappingId;
    if (completion.consumerKey) update.consumer_key = completion.consumerKey;
    await this.knex(AUDIT).where({ id }).update(update);
  }

  /** A finished row in one go, for attempts that never reach API-M (denied, invalid). */
  async recordAudit(
    start: AuditStart,
    completion: AuditCompletion,
  ): Promise<string> {
    const now = new Date();
    const id = await this.startAudit(start, now);
    await this.completeAudit(id, completion, now);
    return id;
  }

  async getAudit(id: string): Promise<AuditRecord | undefined> {
    const row = await this.knex(AUDIT).where({ id }).first();
    return row ? toAuditRecord(row) : undefined;
  }

  async listPendingAudits(
    olderThan: Date,
    limit = 100,
  ): Promise<AuditRecord[]> {
    const rows = await this.knex(AUDIT)
      .where({ outcome: 'pending' })
      .andWhere('started_at', '<', olderThan)
      .orderBy('seq', 'asc')
      .limit(limit);
    return rows.map(toAuditRecord);
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
    const rows = await this.knex(AUDIT)
      .where({ outcome: 'failed', action: 'provision' })
      .whereIn('error_code', errorCodes)
      .andWhere('started_at', '>=', since)
      .orderBy('started_at', 'asc')
      .limit(limit);
    return rows.map(toAuditRecord);
  }

  private auditQuery(query: Omit<ParsedAuditQuery, 'limit' | 'cursor'>) {
    const q = this.knex(AUDIT);
    if (query.entityRef) q.where('entity_ref', query.entityRef);
    if (query.environment) q.where('environment', query.environment);
    if (query.actor) q.where('actor', query.actor);
    if (query.action) q.where('action', query.action);
    if (query.outcome) q.where('outcome', query.outcome);
    if (query.since) q.where('started_at', '>=', new Date(query.since));
    if (query.until) q.where('started_at', '<', new Date(query.until));
    return q;
  }

  /**
   * Rows after `position` in newest-first order. The row-value comparison lets every engine
   * use the (filter, started_at, seq) indexes as a range, so a deep page costs what the first does.
   */
  private afterPosition(q: Knex.QueryBuilder, position: AuditPosition) {
    return q.whereRaw('(started_at, seq) < (?, ?)', [
      new Date(position.startedAtMs),
      position.seq,
    ]);
  }

  /** Newest first, keyset-paginated on (started_at, seq) so any page costs the same. */
  async queryAudit(query: ParsedAuditQuery): Promise<Page<AuditRecord>> {
    const position = query.cursor ? decodeAuditCursor(query.cursor) : undefined;
    const q = this.auditQuery(withoutLooserUntil(query, position));
    if (position) this.afterPosition(q, position);
    const rows = await q
      .orderBy([
        { column: 'started_at', order: 'desc' },
        { column: 'seq', order: 'desc' },
      ])
      .limit(query.limit + 1);
    const items = rows.slice(0, query.limit).map(toAuditRecord);
    return {
      items,
      nextCursor:
        rows.length > query.limit
          ? encodeAuditCursor(rows[query.limit - 1])
          : undefined,
    };
  }

  /** Streams every matching row in pages, newest first, in bounded memory. */
  async *streamAudit(
    query: Omit<ParsedAuditQuery, 'limit' | 'cursor'>,
    batchSize = 1000,
  ): AsyncGenerator<AuditRecord> {
    let position: AuditPosition | undefined;
    for (;;) {
      const q = this.auditQuery(withoutLooserUntil(query, position));
      if (position) this.afterPosition(q, position);
      const rows = await q
        .orderBy([
          { column: 'started_at', order: 'desc' },
          { column: 'seq', order: 'desc' },
        ])
        .limit(batchSize);
      for (const row of rows) yield toAuditRecord(row);
      if (rows.length < batchSize) return;
      const last = rows[rows.length - 1];
      position = {
        startedAtMs: toDate(last.started_at).getTime(),
        seq: Number(last.seq),
      };
    }
  }

  // ---- mappings ----------------------------------------------------------------------------

  async upsertMapping(mapping: MappingUpsert): Promise<void> {
    const row = {
      entity_ref: mapping.entityRef,
      environment: mapping.environment,
      key_manager: mapping.keyManager,
      instance: mapping.instance,
      key_type: mapping.keyType,
      application_id: mapping.applicationId,
      application_name: mapping.applicationName,
      consumer_key: mapping.consumerKey,
      key_mapping_id: mapping.keyMappingId,
      grant_types: JSON.stringify(mapping.grantTypes),
      provisioned_by: mapping.provisionedBy,
      provisioned_at: mapping.provisionedAt,
      state: 'active',
      drift_reason: null,
    };
    await this.knex(MAPPINGS)
      .insert(row)
      .onConflict(['entity_ref', 'environment', 'key_manager'])
      .merge();
  }

  async deleteMapping(cell: {
    entityRef: string;
    environment: string;
    keyManager: string;
  }) {
    await this.knex(MAPPINGS)
      .where({
        entity_ref: cell.entityRef,
        environment: cell.environment,
        key_manager: cell.keyManager,
      })
      .delete();
  }

  async markDrift(
    cell: { entityRef: string; environment: string; keyManager: string },
    reason: string | null,
  ): Promise<void> {
    await this.knex(MAPPINGS)
      .where({
        entity_ref: cell.entityRef,
        environment: cell.environment,
        key_manager: cell.keyManager,
      })
      .update({ state: reason ? 'drifted' : 'active', drift_reason: reason });
  }

  async getMappingsForEntity(entityRef: string): Promise<MappingRecord[]> {
    const rows = await this.knex(MAPPINGS)
      .where({ entity_ref: entityRef })
      .orderBy('id');
    return rows.map(toMappingRecord);
  }

  async queryMappings(
    query: ParsedMappingsQuery,
  ): Promise<Page<MappingRecord>> {
    const q = this.knex(MAPPINGS);
    if (query.environment) q.where('environment', query.environment);
    if (query.keyManager) q.where('key_manager', query.keyManager);
    if (query.entityRef) q.where('entity_ref', query.entityRef);
    if (query.cursor) q.where('id', '>', decodeCursor(query.cursor));
    const rows = await q.orderBy('id', 'asc').limit(query.limit + 1);
    return {
      items: rows.slice(0, query.limit).map(toMappingRecord),
      nextCursor:
        rows.length > query.limit
          ? encodeCursor(rows[query.limit - 1].id)
          : undefined,
    };
  }

  /** Every recorded mapping, for the drift check. */
  async *streamMappings(batchSize = 500): AsyncGenerator<MappingRecord> {
    let after = 0;
    for (;;) {
      const rows = await this.knex(MAPPINGS)
        .where('id', '>', after)
        .orderBy('id')
        .limit(batchSize);
      for (const row of rows) yield toMappingRecord(row);
      if (rows.length < batchSize) return;
      after = Number(rows[rows.length - 1].id);
    }
  }

  // ---- locks -------------------------------------------------------------------------------

  /**
   * Runs `fn` while holding the lock of one cell (entity x environment x key manager). The lock
   * is a row, so it works across replicas; it expires after `ttlMs` so a crashed holder cannot
   * block the cell for ever. Waits up to `waitMs` for a busy cell, then gives up with a 409.
   */
  async withCellLock<T>(
    cell: string,
    fn: () => Promise<T>,
    options: { ttlMs?: number; waitMs?: number } = {},
  ): Promise<T> {
    const lock = await this.acquireCellLock(cell, options);
    try {
      return await fn();
    } finally {
      await lock.release();
    }
  }

  /**
   * Takes the lock of one cell, waiting up to `waitMs` for a busy one (then a 409). The caller
   * must `release()` it; a holder that dies loses it after `ttlMs`.
   */
  async acquireCellLock(
    cell: string,
    options: { ttlMs?: number; waitMs?: number } = {},
  ): Promise<CellLock> {
    const ttlMs = options.ttlMs ?? 120_000;
    const deadline = Date.now() + (options.waitMs ?? 60_000);
    const owner = randomUUID();
    let delay = 10;
    for (;;) {
      if (await this.tryLock(cell, owner, ttlMs)) break;
      if (Date.now() > deadline) {
        throw new ConflictError(
          'Another provisioning of this environment and key manager is still in progress; try again in a minute',
        );
      }
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 200);
    }
    return {
      release: async () => {
        await this.knex(LOCKS).where({ cell, owner }).delete();
      },
    };
  }

  private async tryLock(
    cell: string,
    owner: string,
    ttlMs: number,
  ): Promise<boolean> {
    const now = Date.now();
    try {
      await this.knex(LOCKS).insert({ cell, owner, expires_at: now + ttlMs });
      return true;
    } catch (error) {
      if (!isDatabaseConflictError(error)) throw error;
    }
    // Take over a lock whose holder died without releasing it.
    const taken = await this.knex(LOCKS)
      .where({ cell })
      .andWhere('expires_at', '<', now)
      .update({ owner, expires_at: now + ttlMs });
    return taken === 1;
  }
}

function toAuditRecord(row: Row): AuditRecord {
  return {
    id: row.id,
    startedAt: iso(row.started_at)!,
    finishedAt: iso(row.finished_at),
    actor: row.actor,
    source: row.source,
    via: orUndefined(row.via),
    taskId: orUndefined(row.task_id),
    action: row.action,
    outcome: row.outcome,
    entityRef: orUndefined(row.entity_ref),
    environment: orUndefined(row.environment),
    instance: orUndefined(row.instance),
    keyType: orUndefined(row.key_type),
    keyManager: orUndefined(row.key_manager),
    applicationId: orUndefined(row.application_id),
    applicationName: orUndefined(row.application_name),
    keyMappingId: orUndefined(row.key_mapping_id),
    consumerKey: orUndefined(row.consumer_key),
    errorCode: orUndefined(row.error_code),
    errorMessage: orUndefined(row.error_message),
    requestId: orUndefined(row.request_id),
  };
}

function toMappingRecord(row: Row): MappingRecord {
  return {
    entityRef: row.entity_ref,
    environment: row.environment,
    keyManager: row.key_manager,
    instance: row.instance,
    keyType: row.key_type,
    applicationId: row.application_id,
    applicationName: row.application_name,
    consumerKey: row.consumer_key,
    keyMappingId: row.key_mapping_id,
    grantTypes: JSON.parse(row.grant_types),
    provisionedBy: row.provisioned_by,
    provisionedAt: iso(row.provisioned_at)!,
    state: row.state,
    driftReason: orUndefined(row.drift_reason),
  };
}
