/**
 * The mappings Backstage made and believes API-M holds, `apim_credentials_mappings`: one row per
 * cell (entity x environment x key manager), written after API-M mapped a client and removed
 * after API-M unmapped it, in the same transaction as the attempt's audit row
 * (service/AuditTrail.ts). Pages by keyset on the row id.
 */
import { Knex } from 'knex';
import { InputError } from '@backstage/errors';
import type {
  MappingRecord,
  Page,
  ParsedMappingsQuery,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { ApimCredentialsDatabase } from './ApimCredentialsDatabase';
import { canonicalRef } from './canonicalRef';
import { DEFAULT_COUNT_CAP, countRows, pageOf } from './countRows';
import { DbMappingRow, DbMappingRowRead, toMappingRecord } from './rows';
import { Timestamps } from './timestamps';

const MAPPINGS = 'apim_credentials_mappings';

/** A mapping as the service records it: the record's fields, with its time as a Date. */
export type MappingUpsert = Omit<
  MappingRecord,
  'provisionedAt' | 'state' | 'driftReason'
> & { provisionedAt: Date };

/** The cell a mapping row is unique on. */
export interface MappingCell {
  entityRef: string;
  environment: string;
  keyManager: string;
}

/** The opaque cursor of a mappings page: the last row's id. */
function encodeCursor(id: number | string): string {
  return Buffer.from(String(id)).toString('base64url');
}

/** @throws InputError (400, naming `cursor`) for anything `encodeCursor` did not make */
function decodeCursor(cursor: string): number {
  const value = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InputError('cursor must be a cursor returned by a previous page');
  }
  return value;
}

export class MappingStore {
  /**
   * The mappings table of a migrated database. `countCap` is how far `queryMappings` counts its
   * total (countRows.ts; default 10,000, smaller in tests).
   */
  static async create(options: {
    database: ApimCredentialsDatabase;
    countCap?: number;
  }): Promise<MappingStore> {
    return new MappingStore(options.database.client(), options.countCap);
  }

  private readonly time: Timestamps;

  private constructor(
    private readonly knex: Knex,
    private readonly countCap = DEFAULT_COUNT_CAP,
  ) {
    this.time = new Timestamps(knex);
  }

  /** This store writing through `trx` (ApimCredentialsDatabase.transaction). */
  within(trx: Knex.Transaction): MappingStore {
    return new MappingStore(trx, this.countCap);
  }

  /** Mapping rows with their time as full-precision UTC text (see Timestamps). */
  private mappings(): Knex.QueryBuilder {
    return this.knex(MAPPINGS).select(
      `${MAPPINGS}.*`,
      this.time.select('provisioned_at', 'provisioned_at_utc'),
    );
  }

  private toRecord = (row: DbMappingRowRead): MappingRecord =>
    toMappingRecord(row, this.time);

  private whereCell(cell: MappingCell) {
    return this.knex(MAPPINGS).where({
      entity_ref: canonicalRef(cell.entityRef),
      environment: cell.environment,
      key_manager: cell.keyManager,
    });
  }

  /** Records the cell's mapping, replacing what the cell held; the row is `active` again. */
  async upsertMapping(mapping: MappingUpsert): Promise<void> {
    await this.upsertMappingQuery(mapping);
  }

  /** The statement of upsertMapping, not yet run: for a caller that joins it to another. */
  upsertMappingQuery(mapping: MappingUpsert): Knex.QueryBuilder {
    const row: Omit<DbMappingRow, 'id' | 'provisioned_at'> & {
      provisioned_at: Knex.Value;
    } = {
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
    return this.knex(MAPPINGS)
      .insert(row)
      .onConflict(['entity_ref', 'environment', 'key_manager'])
      .merge();
  }

  /** Removes the cell's mapping, if it has one. */
  async deleteMapping(cell: MappingCell): Promise<void> {
    await this.whereCell(cell).delete();
  }

  /** Marks the cell's mapping `drifted` for `reason`, or `active` again for `null`. */
  async markDrift(cell: MappingCell, reason: string | null): Promise<void> {
    await this.whereCell(cell).update({
      state: reason ? 'drifted' : 'active',
      drift_reason: reason,
    });
  }

  async getMappingsForEntity(entityRef: string): Promise<MappingRecord[]> {
    const rows: DbMappingRowRead[] = await this.mappings()
      .where({ entity_ref: canonicalRef(entityRef) })
      .orderBy('id');
    return rows.map(this.toRecord);
  }

  /**
   * A page of mappings in row order; `cursor` is the previous page's `nextCursor`. The first
   * page carries the filters' `total`, counted up to the store's cap (countRows.ts) and not at
   * all when the page holds every match.
   */
  async queryMappings(
    query: ParsedMappingsQuery,
  ): Promise<Page<MappingRecord>> {
    const q = this.mappings();
    if (query.environment) q.where('environment', query.environment);
    if (query.keyManager) q.where('key_manager', query.keyManager);
    if (query.entityRef) q.where('entity_ref', canonicalRef(query.entityRef));
    if (query.consumerKey) q.where('consumer_key', query.consumerKey);
    if (query.state) q.where('state', query.state);
    const filtered = q.clone();
    if (query.cursor) q.where('id', '>', decodeCursor(query.cursor));
    const rows: DbMappingRowRead[] = await q
      .orderBy('id', 'asc')
      .limit(query.limit + 1);
    // Counted with the first page only: the platform page's tab shows it (issue 15 item 5).
    return pageOf(rows, {
      limit: query.limit,
      firstPage: !query.cursor,
      toItem: this.toRecord,
      cursorOf: row => encodeCursor(row.id),
      count: () => countRows(this.knex, filtered, this.countCap),
    });
  }
}
