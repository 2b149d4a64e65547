/**
 * Knex access to the plugin's tables: the audit trail (written `pending` before API-M is called
 * and completed after), the current mappings, and per-cell locks that serialise provisioning
 * across backend replicas sharing one database.
 */
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { canonicalEntityRef } from '@apim-credentials/backstage-plugin-apim-credentials-common';
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
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import {
  AuditPosition,
  decodeAuditCursor,
  encodeAuditPosition,
  withoutLooserUntil,
} from './auditCursor';
import { ReconcileProgressStore } from './ReconcileProgressStore';
import { Timestamps } from './timestamps';
import { CellLock, CellLocks } from './cellLocks';
import { Row, toAuditRecord, toMappingRecord } from './rows';

export { decodeAuditCursor } from './auditCursor';
export type { CellLock } from './cellLocks';

const migrationsDir = resolvePackagePath(
  '@apim-credentials/backstage-plugin-apim-credentials-backend',
  'migrations',
);

const AUDIT = 'apim_credentials_audit';
const MAPPINGS = 'apim_credentials_mappings';

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
  /** A dry run that was denied or that really asked a key manager (issue 10 item 3). */
  dryRun?: boolean;
  /** subscribe / unsubscribe: the API entity, API-M's API id and `name version` (issue 16). */
  apiRef?: string;
  apiId?: string;
  apiName?: string;
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
  /** Provisioning only: whether this attempt proved the credentials at the key manager first. */
  verified?: boolean;
  /** subscribe / unsubscribe: the API as API-M resolved it, known only after the lookup. */
  apiId?: string;
  apiName?: string;
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

/**
 * The cursor of the audit page that follows `row`, a row read by the store (with
 * `started_at_utc`) or one with a plain `started_at` Date (the benchmarks).
 */
export function encodeAuditCursor(row: Row): string {
  return encodeAuditPosition({
    startedAt: row.started_at_utc ?? row.started_at,
    seq: row.seq,
  });
}

/**
 * Stored entity refs are canonical (lower-case) so that every filter and comparison finds an
 * entity whatever case its ref was typed in; a value that is not an entity ref is only folded.
 * A service principal's subject (`external:<name>`, `plugin:<id>`) looks like a ref without a
 * namespace but is not one: given a `default/` namespace it would name an actor that never was.
 */
export function canonicalRef(ref: string): string {
  if (/^(external|plugin):/i.test(ref)) return ref.toLocaleLowerCase('en-US');
  try {
    return canonicalEntityRef(ref);
  } catch {
    return ref.toLocaleLowerCase('en-US');
  }
}

function canonicalRefOrNull(ref: string | undefined): string | null {
  return ref ? canonicalRef(ref) : null;
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

  private readonly time: Timestamps;
  private readonly locks: CellLocks;
  /** The drift job's keyset pages and position (ReconcileProgressStore.ts). */
  readonly reconcileProgress: ReconcileProgressStore;

  constructor(private readonly knex: Knex) {
    this.time = new Timestamps(knex);
    this.locks = new CellLocks(knex);
    this.reconcileProgress = new ReconcileProgressStore(knex);
  }

  private deniedRowGate?: (
    start: AuditStart,
  ) => Promise<{ write: boolean; note?: string }>;

  /**
   * Decides per `denied` row of {@link ApimCredentialsStore.recordAudit} whether it is written
   * (and with what note), so that repeated denials cannot bury an entity's history; see
   * service/attemptLimits.ts. Without a gate every denial is a row.
   */
  gateDeniedRows(
    gate: (start: AuditStart) => Promise<{ write: boolean; note?: string }>,
  ): void {
    this.deniedRowGate = gate;
  }

  /** Audit rows with their times as full-precision UTC text (see Timestamps). */
  private audits() {
    return this.knex(AUDIT).select(
      `${AUDIT}.*`,
      this.time.select('started_at', 'started_at_utc'),
      this.time.select('finished_at', 'finished_at_utc'),
    );
  }

  private mappings() {
    return this.knex(MAPPINGS).select(
      `${MAPPINGS}.*`,
      this.time.select('provisioned_at', 'provisioned_at_utc'),
    );
  }

  private toAuditRecord = (row: Row): AuditRecord =>
    toAuditRecord(row, this.time);

  private toMappingRecord = (row: Row): MappingRecord =>
    toMappingRecord(row, this.time);

  // ---- audit -------------------------------------------------------------------------------

  /** Inserts a `pending` row and returns its id; called before API-M is contacted. */
  async startAudit(start: AuditStart, now = new Date()): Promise<string> {
    const id = randomUUID();
    await this.knex(AUDIT).insert({
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
      finished_at: this.time.value(now),
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
    if (completion.verified !== undefined)
      update.verified = completion.verified;
    if (completion.apiId) update.api_id = completion.apiId;
    if (completion.apiName) update.api_name = completion.apiName;
    await this.knex(AUDIT).where({ id }).update(update);
  }

  /** A finished row in one go, for attempts that never reach API-M (denied, invalid). */
  /**
   * Writes a finished attempt as one row and returns its id. A `denied` row first passes the
   * gate set by {@link ApimCredentialsStore.gateDeniedRows} (issue 10 item 5): `undefined` when
   * the gate dropped it.
   */
  async recordAudit(
    start: AuditStart,
    completion: AuditCompletion,
  ): Promise<string | undefined> {
    if (completion.outcome === 'denied' && this.deniedRowGate) {
      const decision = await this.deniedRowGate(start);
      if (!decision.write) return undefined;
      if (decision.note) {
        completion = {
          ...completion,
          errorMessage: `${completion.errorMessage ?? 'denied'}${
            decision.note
          }`,
        };
      }
    }
    const now = new Date();
    const id = await this.startAudit(start, now);
    await this.completeAudit(id, completion, now);
    return id;
  }

  async getAudit(id: string): Promise<AuditRecord | undefined> {
    const row = await this.audits().where({ id }).first();
    return row ? this.toAuditRecord(row) : undefined;
  }

  async listPendingAudits(
    olderThan: Date,
    limit = 100,
  ): Promise<AuditRecord[]> {
    const rows = await this.audits()
      .where({ outcome: 'pending' })
      .andWhere('started_at', '<', this.time.value(olderThan))
      .orderBy('seq', 'asc')
      .limit(limit);
    return rows.map(this.toAuditRecord);
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
    const rows = await this.audits()
      .where({ outcome: 'failed', action: 'provision' })
      .whereIn('error_code', errorCodes)
      .andWhere('started_at', '>=', this.time.value(since))
      .orderBy('started_at', 'asc')
      .limit(limit);
    return rows.map(this.toAuditRecord);
  }

  private auditQuery(query: Omit<ParsedAuditQuery, 'limit' | 'cursor'>) {
    const q = this.audits();
    if (query.entityRef) q.where('entity_ref', canonicalRef(query.entityRef));
    if (query.environment) q.where('environment', query.environment);
    if (query.actor) q.where('actor', canonicalRef(query.actor));
    if (query.action) q.where('action', query.action);
    if (query.outcome) q.where('outcome', query.outcome);
    const { since, until } = query;
    if (since) q.where('started_at', '>=', this.time.value(new Date(since)));
    if (until) q.where('started_at', '<', this.time.value(new Date(until)));
    return q;
  }

  /**
   * Rows after `position` in newest-first order. The row-value comparison lets every engine
   * use the (filter, started_at, seq) indexes as a range, so a deep page costs what the first does.
   */
  private afterPosition(q: Knex.QueryBuilder, position: AuditPosition) {
    return q.whereRaw('(started_at, seq) < (?, ?)', [
      this.time.cursorValue(position.startedAt),
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
    const items = rows.slice(0, query.limit).map(this.toAuditRecord);
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
      for (const row of rows) yield this.toAuditRecord(row);
      if (rows.length < batchSize) return;
      const last = rows[rows.length - 1];
      position = decodeAuditCursor(encodeAuditCursor(last));
    }
  }

  // ---- mappings ----------------------------------------------------------------------------

  async upsertMapping(mapping: MappingUpsert): Promise<void> {
    const row = {
      entity_ref: canonicalRef(mapping.entityRef),
      environment: mapping.environment,
      key_manager: mapping.keyManager,
      instance: mapping.instance,
      key_type: mapping.keyType,
      application_id: mapping.applicationId,
      application_name: mapping.applicationName,
      consumer_key: mapping.consumerKey,
      key_mapping_id: mapping.keyMappingId,
      grant_types: JSON.stringify(mapping.grantTypes),
      provisioned_by: canonicalRef(mapping.provisionedBy),
      provisioned_at: this.time.value(mapping.provisionedAt),
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
        entity_ref: canonicalRef(cell.entityRef),
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
        entity_ref: canonicalRef(cell.entityRef),
        environment: cell.environment,
        key_manager: cell.keyManager,
      })
      .update({ state: reason ? 'drifted' : 'active', drift_reason: reason });
  }

  async getMappingsForEntity(entityRef: string): Promise<MappingRecord[]> {
    const rows = await this.mappings()
      .where({ entity_ref: canonicalRef(entityRef) })
      .orderBy('id');
    return rows.map(this.toMappingRecord);
  }

  async queryMappings(
    query: ParsedMappingsQuery,
  ): Promise<Page<MappingRecord>> {
    const q = this.mappings();
    if (query.environment) q.where('environment', query.environment);
    if (query.keyManager) q.where('key_manager', query.keyManager);
    if (query.entityRef) q.where('entity_ref', canonicalRef(query.entityRef));
    if (query.consumerKey) q.where('consumer_key', query.consumerKey);
    if (query.state) q.where('state', query.state);
    if (query.cursor) q.where('id', '>', decodeCursor(query.cursor));
    const rows = await q.orderBy('id', 'asc').limit(query.limit + 1);
    return {
      items: rows.slice(0, query.limit).map(this.toMappingRecord),
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
      const rows = await this.mappings()
        .where('id', '>', after)
        .orderBy('id')
        .limit(batchSize);
      for (const row of rows) yield this.toMappingRecord(row);
      if (rows.length < batchSize) return;
      after = Number(rows[rows.length - 1].id);
    }
  }

  // ---- locks -------------------------------------------------------------------------------

  /** See CellLocks.withCellLock: one provisioning per cell across replicas. */
  withCellLock<T>(
    cell: string,
    fn: () => Promise<T>,
    options: { ttlMs?: number; waitMs?: number } = {},
  ): Promise<T> {
    return this.locks.withCellLock(cell, fn, options);
  }

  /** See CellLocks.acquireCellLock. */
  acquireCellLock(
    cell: string,
    options: { ttlMs?: number; waitMs?: number } = {},
  ): Promise<CellLock> {
    return this.locks.acquireCellLock(cell, options);
  }
}
