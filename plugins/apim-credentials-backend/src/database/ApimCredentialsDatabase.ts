/**
 * The plugin's database: one knex client whose migrations have run, shared by the stores of
 * each aggregate (AuditStore, MappingStore, CellLocks, ReconcileProgressStore,
 * ApplicationBindingStore). The shape of auth-backend's AuthDatabase: the owner migrates once,
 * the stores only query.
 */
import { Knex } from 'knex';
import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';

const migrationsDir = resolvePackagePath(
  '@apim-credentials/backstage-plugin-apim-credentials-backend',
  'migrations',
);

export class ApimCredentialsDatabase {
  /**
   * Opens the plugin's database and brings its schema to the latest migration, unless
   * `skipMigrations` (default: the database service's `migrations.skip`) says the schema is
   * someone else's business (a second replica's test process, a benchmark that migrated).
   *
   * @throws the driver's connection errors and knex's migration errors
   */
  static async create(options: {
    database: Pick<DatabaseService, 'getClient'> &
      Partial<Pick<DatabaseService, 'migrations'>>;
    skipMigrations?: boolean;
  }): Promise<ApimCredentialsDatabase> {
    const knex = await options.database.getClient();
    const skip =
      options.skipMigrations ?? options.database.migrations?.skip ?? false;
    if (!skip) await knex.migrate.latest({ directory: migrationsDir });
    return new ApimCredentialsDatabase(knex);
  }

  private constructor(private readonly knex: Knex) {}

  /** The migrated client; only the stores in this folder query it. */
  client(): Knex {
    return this.knex;
  }

  /**
   * Runs `fn` in one database transaction: committed when it resolves, rolled back when it
   * rejects (the rejection is rethrown). Use the stores' `within(trx)` to write through it.
   */
  transaction<T>(fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.knex.transaction(fn);
  }
}
