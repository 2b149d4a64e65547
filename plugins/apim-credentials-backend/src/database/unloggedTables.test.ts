/**
 * Migration 20261209100000: on PostgreSQL the locks and rate-limit counters are UNLOGGED (their
 * writes skip the WAL flush on every provisioning's critical path); their rows survive the step
 * up and down; the other engines are left as they were.
 */
import path from 'node:path';
import { createTestDatabases } from '../__testUtils__/databases';
import { engineOf } from '../__testUtils__/sessions';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const directory = path.resolve(__dirname, '../../migrations');
const STEP = '20261209100000_unlogged_ephemeral_tables.js';
const TABLES = ['apim_credentials_locks', 'apim_credentials_rate_limits'];

describe.each(databases.eachSupportedId())('%p', databaseId => {
  it('makes the ephemeral tables unlogged on PostgreSQL, keeping their rows', async () => {
    const knex = await databases.init(databaseId);
    const postgres = engineOf(databaseId) === 'pg';
    /** `u` (unlogged) or `p` (logged) per table; undefined where the engine has no such thing. */
    const persistence = async () => {
      if (!postgres) return undefined;
      const { rows } = await knex.raw(
        'SELECT relname, relpersistence FROM pg_class WHERE relname = ANY(?) ORDER BY relname',
        [TABLES],
      );
      return rows.map((r: { relpersistence: string }) => r.relpersistence);
    };

    // Up to the step before, with a lock and a counter in place.
    for (;;) {
      const [, pending] = await knex.migrate.list({ directory });
      const next = pending[0]?.file ?? pending[0]?.name ?? pending[0];
      if (next === STEP) break;
      await knex.migrate.up({ directory });
    }
    await knex('apim_credentials_locks').insert({
      cell: 'local|orders|SANDBOX|IS',
      owner: 'replica-1',
      expires_at: 1_900_000_000_000,
    });
    await knex('apim_credentials_rate_limits').insert({
      counter_key: 'c'.repeat(64),
      hits: 3,
      expires_at: 1_900_000_000_000,
    });
    expect(await persistence()).toEqual(postgres ? ['p', 'p'] : undefined);

    const [, done] = await knex.migrate.up({ directory });
    expect(done).toEqual([STEP]);
    expect(await persistence()).toEqual(postgres ? ['u', 'u'] : undefined);
    expect(await knex('apim_credentials_locks').pluck('owner')).toEqual([
      'replica-1',
    ]);
    expect(
      (await knex('apim_credentials_rate_limits').pluck('hits')).map(Number),
    ).toEqual([3]);

    await knex.migrate.down({ directory, name: STEP });
    expect(await persistence()).toEqual(postgres ? ['p', 'p'] : undefined);
    expect(await knex('apim_credentials_locks').pluck('owner')).toEqual([
      'replica-1',
    ]);
  });
});
