/**
 * What the migration test (src/database/migrations.test.ts) asks a database about, on SQLite,
 * PostgreSQL and MySQL/MariaDB alike: index and column names, the instant a time column holds
 * whatever its type, and the shape of one step's checks (migrationStepsEarly.ts,
 * migrationStepsLate.ts).
 */
import { Knex } from 'knex';
import { createApimCredentialsStores } from '../database/stores';
import { engineOf } from './sessions';

export const AUDIT = 'apim_credentials_audit';
export const MAPPINGS = 'apim_credentials_mappings';
export const LOCKS = 'apim_credentials_locks';
export const BINDINGS = 'apim_credentials_bindings';
export const T0 = '2026-01-01T00:00:00.000Z';
export const T1 = '2026-01-02T12:00:00.000Z';

/**
 * The MySQL/MariaDB session the chain runs in: like a MySQL 5.7 server's
 * (explicit_defaults_for_timestamp=OFF, so a table's first NOT NULL TIMESTAMP gets ON UPDATE
 * CURRENT_TIMESTAMP) in a time zone (+05:30) that is not the test process's (UTC).
 */
export const MYSQL_SESSION = [
  'SET SESSION explicit_defaults_for_timestamp = OFF',
  "SET time_zone = '+05:30'",
];
/** The offset of MYSQL_SESSION's time zone from UTC. */
export const MYSQL_SESSION_OFFSET_MINUTES = 330;

/** One database the chain runs on. `startedAt` is set (epoch ms) just before each step up. */
export interface MigrationContext {
  knex: Knex;
  databaseId: string;
  engine: 'pg' | 'mysql' | 'sqlite';
  startedAt: number;
}

/**
 * The checks of one migration file. `seed` runs before the step goes up and inserts rows (into
 * tables earlier steps made) that the step must keep or transform; `afterUp` runs after the
 * step alone went up; `afterDown` after its `down` ran, the later steps already down. Each
 * throws (a failed `expect`) when the database is not as the step should leave it.
 */
export interface MigrationStepCheck {
  /** The migration's file name, e.g. `20261127100000_init.js`. */
  name: string;
  seed?(ctx: MigrationContext): Promise<void>;
  afterUp(ctx: MigrationContext): Promise<void>;
  afterDown(ctx: MigrationContext): Promise<void>;
}

/** Names of the indexes (unique ones and, on MySQL, PRIMARY included) of `table`. */
export async function indexNames(
  knex: Knex,
  databaseId: string,
  table: string,
): Promise<string[]> {
  switch (engineOf(databaseId)) {
    case 'pg':
      return (
        await knex('pg_indexes').where({ tablename: table }).select('indexname')
      ).map(r => r.indexname);
    case 'mysql':
      return (
        await knex('information_schema.statistics')
          .whereRaw('table_schema = DATABASE()')
          .andWhere({ table_name: table })
          .distinct({ name: 'index_name' })
      ).map(r => r.name);
    default:
      return (
        await knex('sqlite_master')
          .where({ type: 'index', tbl_name: table })
          .select('name')
      ).map(r => r.name);
  }
}

/** Asserts that `table` has the indexes `has` and none of `lacks`. */
export async function expectIndexes(
  ctx: MigrationContext,
  table: string,
  expected: { has?: string[]; lacks?: string[] },
) {
  const names = await indexNames(ctx.knex, ctx.databaseId, table);
  expect(names).toEqual(expect.arrayContaining(expected.has ?? []));
  for (const name of expected.lacks ?? []) expect(names).not.toContain(name);
}

/** Asserts that `table` has the columns `has` and none of `lacks`. */
export async function expectColumns(
  ctx: MigrationContext,
  table: string,
  expected: { has?: string[]; lacks?: string[] },
) {
  const names = Object.keys(await ctx.knex(table).columnInfo());
  expect(names).toEqual(expect.arrayContaining(expected.has ?? []));
  for (const name of expected.lacks ?? []) expect(names).not.toContain(name);
}

/**
 * A value to insert into a time column for the UTC instant `iso`, the way a writer in the
 * session's zone would: on MySQL a wall-clock literal in the session's +05:30 (right for
 * TIMESTAMP columns, which convert it), elsewhere a Date.
 */
export function at(ctx: MigrationContext, iso: string): Date | string {
  if (ctx.engine !== 'mysql') return new Date(iso);
  const local = new Date(
    new Date(iso).getTime() + MYSQL_SESSION_OFFSET_MINUTES * 60_000,
  );
  return local.toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * MySQL/MariaDB: type and extra (`on update ...`) of `table`.`column`, e.g.
 * `{ type: 'datetime(6)', extra: '' }`; undefined on the other engines.
 */
export async function mysqlColumn(
  ctx: MigrationContext,
  table: string,
  column: string,
): Promise<{ type: string; extra: string } | undefined> {
  if (ctx.engine !== 'mysql') return undefined;
  const row = await ctx
    .knex('information_schema.columns')
    .whereRaw('table_schema = DATABASE()')
    .andWhere({ table_name: table, column_name: column })
    .first({ type: 'column_type', extra: 'extra' });
  return { type: String(row.type).toLowerCase(), extra: String(row.extra) };
}

/**
 * The instant `table`.`column` holds in the row matching `where`, as ISO text (ms), read the
 * way its type needs: MySQL TIMESTAMP through UNIX_TIMESTAMP (free of the session's zone),
 * MySQL DATETIME as the UTC wall-clock text the plugin keeps in it, PostgreSQL timestamptz as a
 * Date, SQLite epoch ms. Throws when no row matches.
 */
export async function instantOf(
  ctx: MigrationContext,
  table: string,
  column: string,
  where: Record<string, string | number>,
): Promise<string> {
  const { knex } = ctx;
  if (ctx.engine === 'mysql') {
    const { type } = (await mysqlColumn(ctx, table, column))!;
    const expression = type.startsWith('timestamp')
      ? 'UNIX_TIMESTAMP(??) * 1000'
      : "DATE_FORMAT(??, '%Y-%m-%dT%H:%i:%s.%fZ')";
    const row = await knex(table)
      .where(where)
      .first(knex.raw(`${expression} AS v`, [column]));
    if (!row) throw new Error(`no ${table} row ${JSON.stringify(where)}`);
    return type.startsWith('timestamp')
      ? new Date(Number(row.v)).toISOString()
      : new Date(String(row.v).replace(/(\.\d{3})\d*Z$/, '$1Z')).toISOString();
  }
  const row = await knex(table).where(where).first(column);
  if (!row) throw new Error(`no ${table} row ${JSON.stringify(where)}`);
  const value = row[column];
  if (value instanceof Date) return value.toISOString();
  return new Date(Number(value)).toISOString();
}

/** A boolean column's value as the engine returns it (`0`/`1` or `false`/`true`) as a boolean. */
export function bool(value: unknown): boolean {
  return Boolean(Number(value));
}

/** The plugin's stores on the database as the chain left it, without migrating it further. */
export function storesOn(ctx: MigrationContext) {
  return createApimCredentialsStores({
    database: { getClient: async () => ctx.knex },
    skipMigrations: true,
  });
}
