/**
 * The drift job's reads of the mappings table and its position in it (issue 11, scale of the
 * drift job): pages by keyset on `(environment, id)` (the `apim_mappings_environment_idx` index),
 * so memory stays flat at any mapping count, and a per-environment position that survives
 * restarts and moves between replicas (migration 20261202100000_reconcile_progress).
 */
import { Knex } from 'knex';
import type { MappingRecord } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { ApimCredentialsDatabase } from './ApimCredentialsDatabase';
import { DbMappingRowRead, toMappingRecord } from './rows';
import { Timestamps } from './timestamps';

const MAPPINGS = 'apim_credentials_mappings';
const PROGRESS = 'apim_credentials_reconcile_progress';

/** A mapping with its row id, the keyset position. */
export interface PositionedMapping {
  id: number;
  mapping: MappingRecord;
}

/** Where an environment's pass stands; `settledAt` undefined before the first full slice. */
export interface ReconcileProgress {
  afterId: number;
  settledAt?: Date;
}

/** A row of `apim_credentials_reconcile_progress` (migration 20261202100000). */
export interface DbReconcileProgressRow {
  environment: string;
  /** bigint, so PostgreSQL answers text. */
  after_id: number | string;
  /** Epoch milliseconds of the last full slice; null before it. */
  settled_at: number | string | null;
}

export class ReconcileProgressStore {
  /** The drift job's tables of a migrated database. */
  static async create(options: {
    database: ApimCredentialsDatabase;
  }): Promise<ReconcileProgressStore> {
    return new ReconcileProgressStore(options.database.client());
  }

  private readonly time: Timestamps;

  private constructor(private readonly knex: Knex) {
    this.time = new Timestamps(knex);
  }

  private mappings(): Knex.QueryBuilder {
    return this.knex(MAPPINGS).select(
      `${MAPPINGS}.*`,
      this.time.select('provisioned_at', 'provisioned_at_utc'),
    );
  }

  private positioned = (row: DbMappingRowRead): PositionedMapping => ({
    id: Number(row.id),
    mapping: toMappingRecord(row, this.time),
  });

  /** How many mappings an environment holds; sizes the slice of a run. */
  async countMappings(environment: string): Promise<number> {
    const [{ n }] = await this.knex(MAPPINGS)
      .where({ environment })
      .count({ n: '*' });
    return Number(n);
  }

  /** Up to `limit` mappings of an environment with an id above `afterId`, in id order. */
  async pageMappings(
    environment: string,
    afterId: number,
    limit: number,
  ): Promise<PositionedMapping[]> {
    const rows: DbMappingRowRead[] = await this.mappings()
      .where({ environment })
      .andWhere('id', '>', afterId)
      .orderBy('id')
      .limit(limit);
    return rows.map(this.positioned);
  }

  /** The mappings with these row ids that still exist (suspects of the previous run). */
  async mappingsByIds(ids: number[]): Promise<PositionedMapping[]> {
    if (ids.length === 0) return [];
    const rows: DbMappingRowRead[] = await this.mappings()
      .whereIn('id', ids)
      .orderBy('id');
    return rows.map(this.positioned);
  }

  async getProgress(environment: string): Promise<ReconcileProgress> {
    const row: DbReconcileProgressRow | undefined = await this.knex(PROGRESS)
      .where({ environment })
      .first();
    return {
      afterId: Number(row?.after_id ?? 0),
      settledAt:
        row?.settled_at === null || row?.settled_at === undefined
          ? undefined
          : new Date(Number(row.settled_at)),
    };
  }

  /** Records the position; `settledAt` only when the run finished its whole slice. */
  async saveProgress(
    environment: string,
    progress: { afterId: number; settledAt?: Date },
  ): Promise<void> {
    const row: Record<string, unknown> = {
      environment,
      after_id: progress.afterId,
    };
    if (progress.settledAt) row.settled_at = progress.settledAt.getTime();
    await this.knex(PROGRESS)
      .insert({ settled_at: null, ...row })
      .onConflict('environment')
      .merge(Object.keys(row).filter(k => k !== 'environment'));
  }
}
