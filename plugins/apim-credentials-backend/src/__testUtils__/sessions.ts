import knexFactory, { Knex } from 'knex';

/**
 * A second knex on the same database as `knex` (from TestDatabases) whose every connection
 * first runs `statements`: a database session in another mode or time zone, like a server or a
 * replica configured differently. Destroy it after use.
 */
export function knexWithSession(knex: Knex, statements: string[]): Knex {
  const config = knex.client.config as Knex.Config;
  return knexFactory({
    ...config,
    pool: {
      min: 0,
      max: 2,
      afterCreate(connection: any, done: (error: unknown, c: any) => void) {
        const run = (i: number): void => {
          if (i === statements.length) {
            done(null, connection);
            return;
          }
          connection.query(statements[i], (error: unknown) =>
            error ? done(error, connection) : run(i + 1),
          );
        };
        run(0);
      },
    },
  });
}

/** Engine of a TestDatabases id. */
export function engineOf(databaseId: string): 'pg' | 'mysql' | 'sqlite' {
  if (databaseId.startsWith('POSTGRES')) return 'pg';
  if (databaseId.startsWith('MYSQL')) return 'mysql';
  return 'sqlite';
}

/**
 * A literal for a timestamp column holding the UTC instant `utcText` (up to microseconds), to
 * insert rows the way another writer (a replica, a SQL client) would.
 */
export function rawTimestamp(
  knex: Knex,
  databaseId: string,
  utcText: string,
): Knex.Raw | number {
  switch (engineOf(databaseId)) {
    case 'pg':
      return knex.raw('?::timestamptz', [utcText]);
    case 'mysql':
      return knex.raw('?', [utcText.replace('T', ' ').replace('Z', '')]);
    default:
      return new Date(utcText).getTime();
  }
}
