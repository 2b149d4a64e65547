/**
 * The plugin's migrations step by step on every engine: rows seeded before each step, the step
 * taken alone, its rows and indexes checked, and every step taken down again. MySQL/MariaDB runs
 * in a session like a MySQL 5.7 server's (explicit_defaults_for_timestamp=OFF) in a non-UTC
 * session time zone, where the DATETIME conversion has to keep every instant.
 */
import path from 'node:path';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';
import { engineOf, knexWithSession } from '../__testUtils__/sessions';
import { createApimCredentialsStores } from './stores';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const directory = path.resolve(__dirname, '../../migrations');
const AUDIT = 'apim_credentials_audit';
const MAPPINGS = 'apim_credentials_mappings';
const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-02T12:00:00.000Z';
const RESOLUTION_STEP = '20261206100000_audit_resolution.js';
const RESOLUTION_ROWS = [
  'r-resolved',
  'r-adopted',
  'r-gateways',
  'r-failed',
  'r-plain',
];

async function indexNames(knex: Knex, id: string, table: string) {
  switch (engineOf(id)) {
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

/** A timestamp literal for the UTC instant `iso`, in the session's time zone on MySQL (+05:30). */
function at(id: string, iso: string) {
  if (engineOf(id) === 'mysql') {
    const local = new Date(new Date(iso).getTime() + 330 * 60_000);
    return local.toISOString().replace('T', ' ').replace('Z', '');
  }
  return new Date(iso);
}

/**
 * MySQL/MariaDB: type and extra of the plugin's three time columns, by column name; `[]` on the
 * other engines (no such catalog to ask).
 */
async function mysqlTimeColumns(knex: Knex, id: string) {
  if (engineOf(id) !== 'mysql') return [];
  return knex('information_schema.columns')
    .whereRaw('table_schema = DATABASE()')
    .whereIn('column_name', ['started_at', 'finished_at', 'provisioned_at'])
    .orderBy('column_name')
    .select({ column: 'column_name', type: 'column_type', extra: 'extra' });
}

/**
 * MySQL/MariaDB: the audit table's `started_at` column type and row a1's instant in ms, read
 * back as the server sees it; undefined on the other engines.
 */
async function mysqlStartedAt(knex: Knex, id: string) {
  if (engineOf(id) !== 'mysql') return undefined;
  const [[column]] = await knex.raw(
    `SELECT COLUMN_TYPE AS type, EXTRA AS extra FROM information_schema.columns
     WHERE table_schema = DATABASE() AND table_name = ? AND column_name = 'started_at'`,
    [AUDIT],
  );
  const [[a1]] = await knex.raw(
    'SELECT UNIX_TIMESTAMP(started_at) AS s FROM ?? WHERE id = ?',
    [AUDIT, 'a1'],
  );
  return { type: column.type, extra: column.extra, a1: Number(a1.s) * 1000 };
}

describe.each(databases.eachSupportedId())('migrations on %p', databaseId => {
  let knex: Knex;
  let session: Knex | undefined;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    if (engineOf(databaseId) === 'mysql') {
      session = knexWithSession(knex, [
        'SET SESSION explicit_defaults_for_timestamp = OFF',
        "SET time_zone = '+05:30'",
      ]);
      knex = session;
    }
  });

  afterAll(async () => {
    await session?.destroy();
  });

  /** The file name of the first migration not yet run, or undefined. */
  const nextPending = async (): Promise<string | undefined> => {
    const [, pending] = await knex.migrate.list({ directory });
    const next = pending[0];
    return typeof next === 'string' ? next : next?.file ?? next?.name;
  };

  const step = async (name: string) => {
    const [, done] = await knex.migrate.up({ directory });
    expect(done).toEqual([name]);
  };

  it('takes only the timestamped files as migrations, not the shared/ helpers', async () => {
    const [done, pending] = await knex.migrate.list({ directory });
    const names = [...done, ...pending].map(m =>
      typeof m === 'string' ? m : m.file ?? m.name,
    );
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name).toMatch(/^\d{14}_[a-z_]+\.js$/);
  });

  it('steps up one at a time with rows in place, then down to nothing', async () => {
    await step('20261127100000_init.js');
    const mysql = engineOf(databaseId) === 'mysql';
    const audit = (id: string, entityRef: string, actor: string) => ({
      id,
      started_at: at(databaseId, T0),
      finished_at: at(databaseId, T1),
      actor,
      source: 'ui',
      action: 'provision',
      outcome: 'succeeded',
      entity_ref: entityRef,
    });
    await knex(AUDIT).insert([
      audit('a1', 'component:default/Orders-Service', 'user:default/Guest'),
      audit('a2', 'component:default/orders-service', 'user:default/guest'),
    ]);
    const mapping = (entityRef: string, key: string, when: string) => ({
      entity_ref: entityRef,
      environment: 'sandbox',
      key_manager: 'IS',
      instance: 'local',
      key_type: 'SANDBOX',
      application_id: 'app-1',
      application_name: 'orders-service',
      consumer_key: key,
      key_mapping_id: `km-${key}`,
      grant_types: '["client_credentials"]',
      provisioned_by: 'user:default/Guest',
      provisioned_at: at(databaseId, when),
      state: 'active',
    });
    // MySQL's case-insensitive unique key never let two spellings of one cell in.
    await knex(MAPPINGS).insert(
      mysql
        ? [mapping('component:default/Orders-Service', 'newer', T1)]
        : [
            mapping('component:default/Orders-Service', 'newer', T1),
            mapping('component:default/orders-service', 'older', T0),
            mapping('component:default/ORDERS-SERVICE', 'oldest', T0),
          ],
    );
    await knex(MAPPINGS).insert(
      mapping('component:default/Web-Portal', 'web', T0),
    );

    await step('20261127110000_audit_time_keyset.js');
    const indexes = await indexNames(knex, databaseId, AUDIT);
    expect(indexes).toEqual(
      expect.arrayContaining([
        'apim_audit_time_idx',
        'apim_audit_entity_time_idx',
        'apim_audit_actor_time_idx',
      ]),
    );
    expect(indexes).not.toContain('apim_audit_entity_seq_idx');

    await step('20261130100000_canonical_entity_refs.js');
    expect(
      await knex(AUDIT).orderBy('id').select('entity_ref', 'actor'),
    ).toEqual([
      {
        entity_ref: 'component:default/orders-service',
        actor: 'user:default/guest',
      },
      {
        entity_ref: 'component:default/orders-service',
        actor: 'user:default/guest',
      },
    ]);
    expect(
      await knex(MAPPINGS)
        .orderBy('entity_ref')
        .select('entity_ref', 'consumer_key', 'provisioned_by'),
    ).toEqual([
      {
        entity_ref: 'component:default/orders-service',
        consumer_key: 'newer',
        provisioned_by: 'user:default/guest',
      },
      {
        entity_ref: 'component:default/web-portal',
        consumer_key: 'web',
        provisioned_by: 'user:default/guest',
      },
    ]);

    await step('20261130100100_utc_datetime.js');
    // MySQL/MariaDB: DATETIME(6), which keeps the instant whatever the session's time zone.
    const datetime = ['finished_at', 'provisioned_at', 'started_at'].map(
      column => ({ column, type: 'datetime(6)', extra: '' }),
    );
    expect(await mysqlTimeColumns(knex, databaseId)).toEqual(
      mysql ? datetime : [],
    );
    // Every instant survived, read by the store whatever the session's time zone.
    const { audit: store, mappings } = await createApimCredentialsStores({
      database: { getClient: async () => knex },
      skipMigrations: true,
    });
    expect(await store.getAudit('a1')).toMatchObject({
      startedAt: T0,
      finishedAt: T1,
    });
    expect(
      (
        await mappings.getMappingsForEntity('component:default/orders-service')
      )[0].provisionedAt,
    ).toBe(T1);

    // Later migrations (other features) up to the resolution column, with the rows it moves.
    while ((await nextPending()) !== RESOLUTION_STEP) {
      await knex.migrate.up({ directory });
    }
    const finished = (id: string, outcome: string, code?: string) => ({
      ...audit(id, 'component:default/orders-service', 'user:default/guest'),
      outcome,
      error_code: code ?? null,
      error_message: code ? `message of ${id}` : null,
    });
    await knex(AUDIT).insert([
      finished('r-resolved', 'succeeded', 'RESOLVED_BY_JOB'),
      finished('r-adopted', 'succeeded', 'ADOPTED_BY_JOB'),
      finished('r-gateways', 'succeeded', 'GATEWAYS_NOT_NOTIFIED'),
      finished('r-failed', 'failed', 'APIM_TIMEOUT'),
      finished('r-plain', 'unchanged'),
    ]);
    const resolutionColumns = () =>
      knex(AUDIT)
        .whereIn('id', RESOLUTION_ROWS)
        .orderBy('id')
        .select('id', 'error_code', 'error_message', 'resolution', 'note');
    const moved = (id: string, code: string) => ({
      id,
      error_code: null,
      error_message: null,
      resolution: code,
      note: `message of ${id}`,
    });
    await step(RESOLUTION_STEP);
    expect(await resolutionColumns()).toEqual([
      moved('r-adopted', 'ADOPTED_BY_JOB'),
      {
        id: 'r-failed',
        error_code: 'APIM_TIMEOUT',
        error_message: 'message of r-failed',
        resolution: null,
        note: null,
      },
      moved('r-gateways', 'GATEWAYS_NOT_NOTIFIED'),
      {
        id: 'r-plain',
        error_code: null,
        error_message: null,
        resolution: null,
        note: null,
      },
      moved('r-resolved', 'RESOLVED_BY_JOB'),
    ]);
    const resolved = await store.getAudit('r-resolved');
    expect(resolved).toMatchObject({
      resolution: 'RESOLVED_BY_JOB',
      note: 'message of r-resolved',
    });
    expect(resolved?.errorCode).toBeUndefined();

    // The rest, then the store works on the result.
    await knex.migrate.latest({ directory });
    const id = await store.startAudit(
      { actor: 'user:default/guest', source: 'ui', action: 'verify' },
      new Date(T1),
    );
    expect((await store.getAudit(id))?.startedAt).toBe(T1);

    // Down, one step at a time, to nothing, checking the steps that move data on the way.
    const current = () => knex.migrate.currentVersion({ directory });
    /** Takes steps down until `version` is the latest one run, then that one too. */
    const downThrough = async (version: string) => {
      for (let v = await current(); v !== version; v = await current()) {
        if (v === 'none') throw new Error(`Migration ${version} was never run`);
        await knex.migrate.down({ directory });
      }
      await knex.migrate.down({ directory });
    };

    await downThrough(RESOLUTION_STEP.slice(0, 14));
    expect(await knex.schema.hasColumn(AUDIT, 'resolution')).toBe(false);
    expect(
      await knex(AUDIT)
        .whereIn('id', RESOLUTION_ROWS)
        .orderBy('id')
        .select('id', 'error_code', 'error_message'),
    ).toEqual(
      [
        ['r-adopted', 'ADOPTED_BY_JOB'],
        ['r-failed', 'APIM_TIMEOUT'],
        ['r-gateways', 'GATEWAYS_NOT_NOTIFIED'],
        ['r-plain', null],
        ['r-resolved', 'RESOLVED_BY_JOB'],
      ].map(([rowId, code]) => ({
        id: rowId,
        error_code: code,
        error_message: code ? `message of ${rowId}` : null,
      })),
    );

    // MySQL/MariaDB: back to TIMESTAMP (without ON UPDATE), the instant kept.
    await downThrough('20261130100100');
    const timestamp = { type: 'timestamp', extra: '', a1: Date.parse(T0) };
    expect(await mysqlStartedAt(knex, databaseId)).toEqual(
      mysql ? timestamp : undefined,
    );

    while ((await current()) !== 'none') {
      await knex.migrate.down({ directory });
    }
    expect(await knex.schema.hasTable(AUDIT)).toBe(false);
    expect(await knex.schema.hasTable(MAPPINGS)).toBe(false);
  });
});
