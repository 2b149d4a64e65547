/**
 * The plugin's stores, one per aggregate, over one migrated database (ApimCredentialsDatabase):
 * what the services factory, the test harness and the benchmarks open.
 */
import type { DatabaseService } from '@backstage/backend-plugin-api';
import { ApimCredentialsDatabase } from './ApimCredentialsDatabase';
import { ApplicationBindingStore } from './ApplicationBindingStore';
import { ApprovalStore } from './ApprovalStore';
import { AuditCompletion, AuditStore, DeniedRowGate } from './AuditStore';
import { CellLocks } from './cellLocks';
import { MappingStore, MappingUpsert } from './MappingStore';
import { ReconcileProgressStore } from './ReconcileProgressStore';
import { engineOf } from './timestamps';

/** The stores that write in one transaction: an attempt's mapping change and its audit row. */
export interface ApimCredentialsTransaction {
  audit: AuditStore;
  mappings: MappingStore;
}

export interface ApimCredentialsStores {
  database: ApimCredentialsDatabase;
  audit: AuditStore;
  mappings: MappingStore;
  locks: CellLocks;
  bindings: ApplicationBindingStore;
  /** The drift job's keyset pages and position. */
  reconcileProgress: ReconcileProgressStore;
  /** Approval requests of environments that require approval (issue 14). */
  approvals: ApprovalStore;
  /**
   * Runs `fn` with the audit and mapping stores writing in one database transaction, committed
   * when `fn` resolves and rolled back when it rejects. `fn` must not use the stores above
   * (outside the transaction): on SQLite's single connection that would wait for ever.
   */
  transaction<T>(
    fn: (tx: ApimCredentialsTransaction) => Promise<T>,
  ): Promise<T>;
  /**
   * Records `mapping` and completes audit row `auditId` atomically: both are written or neither
   * is. On PostgreSQL they are one statement (the upsert in a data-modifying WITH before the
   * update): one round trip instead of BEGIN, two statements and COMMIT on every
   * provisioning's critical path (issue 9, "Performance"). Elsewhere one transaction (SQLite's
   * statements cost no network round trip; MySQL has no data-modifying WITH).
   */
  completeWithUpsert(
    auditId: string,
    completion: AuditCompletion,
    mapping: MappingUpsert,
  ): Promise<void>;
}

/**
 * Opens the plugin's stores: migrates the database once (unless `skipMigrations`, default the
 * database service's `migrations.skip`), then hands the client to each store.
 *
 * @param deniedRows - see AuditStore.create
 */
export async function createApimCredentialsStores(options: {
  database:
    | ApimCredentialsDatabase
    | (Pick<DatabaseService, 'getClient'> &
        Partial<Pick<DatabaseService, 'migrations'>>);
  skipMigrations?: boolean;
  deniedRows?: DeniedRowGate;
}): Promise<ApimCredentialsStores> {
  const database =
    options.database instanceof ApimCredentialsDatabase
      ? options.database
      : await ApimCredentialsDatabase.create({
          database: options.database,
          skipMigrations: options.skipMigrations,
        });
  const audit = await AuditStore.create({
    database,
    deniedRows: options.deniedRows,
  });
  const mappings = await MappingStore.create({ database });
  return {
    database,
    audit,
    mappings,
    locks: await CellLocks.create({ database }),
    bindings: await ApplicationBindingStore.create({ database }),
    reconcileProgress: await ReconcileProgressStore.create({ database }),
    approvals: await ApprovalStore.create({ database }),
    transaction: fn =>
      database.transaction(trx =>
        fn({ audit: audit.within(trx), mappings: mappings.within(trx) }),
      ),
    completeWithUpsert: async (auditId, completion, mapping) => {
      const knex = database.client();
      if (engineOf(knex) !== 'pg') {
        await database.transaction(async trx => {
          await mappings.within(trx).upsertMapping(mapping);
          await audit.within(trx).completeAudit(auditId, completion);
        });
        return;
      }
      const upsert = mappings.upsertMappingQuery(mapping).toSQL();
      const update = audit.completeAuditQuery(auditId, completion).toSQL();
      await knex.raw(`with recorded as (${upsert.sql}) ${update.sql}`, [
        ...upsert.bindings,
        ...update.bindings,
      ]);
    },
  };
}
