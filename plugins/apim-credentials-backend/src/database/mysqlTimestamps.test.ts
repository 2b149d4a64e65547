/**
 * Issue 12 items 7 and 8 on MySQL / MariaDB (run when BACKSTAGE_TEST_DATABASE_MYSQL8_CONNECTION_STRING
 * is set; CI sets it). The sessions here are configured like the servers of the field reports:
 * `explicit_defaults_for_timestamp=OFF` (MySQL 5.7, MariaDB <= 10.9), and replicas whose session
 * time zones differ. The store must keep every instant as it was written.
 */
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';
import { knexWithSession } from '../__testUtils__/sessions';
import { AUDIT_START, SANDBOX_MAPPING } from '../__testUtils__/timeZoneRows';
import { ApimCredentialsDatabase } from './ApimCredentialsDatabase';
import { createApimCredentialsStores } from './stores';
import { ApplicationBindingStore } from './ApplicationBindingStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const mysql = databases.supports('MYSQL_8') ? ['MYSQL_8' as const] : [];
const LEGACY_MODE = 'SET SESSION explicit_defaults_for_timestamp = OFF';

const start = { ...AUDIT_START, environment: 'sandbox' };
const mapping = SANDBOX_MAPPING;

it('runs on MariaDB in CI', () => {
  // A configured server must run the suite below, not skip it silently.
  const configured =
    process.env.BACKSTAGE_TEST_DATABASE_MYSQL8_CONNECTION_STRING;
  expect(mysql.length).toBeGreaterThanOrEqual(configured ? 1 : 0);
});

describe.each(mysql)('timestamps on %p', databaseId => {
  const opened: Knex[] = [];
  const session = (knex: Knex, statements: string[]) => {
    const k = knexWithSession(knex, statements);
    opened.push(k);
    return k;
  };

  afterAll(async () => {
    await Promise.all(opened.map(k => k.destroy()));
  });

  it('with explicit_defaults_for_timestamp=OFF, completing a row or marking drift rewrites no time (item 7)', async () => {
    const legacy = session(await databases.init(databaseId), [LEGACY_MODE]);
    const [[mode]] = await legacy.raw(
      'SELECT @@session.explicit_defaults_for_timestamp AS mode',
    );
    expect(Number(mode.mode)).toBe(0);
    const store = await createApimCredentialsStores({
      database: { getClient: async () => legacy },
    });

    // Every time column of every table of the plugin, not only the ones the field report named.
    const [[{ db }]] = await legacy.raw('SELECT DATABASE() AS db');
    const autoUpdated = await legacy('information_schema.columns')
      .where({ table_schema: db })
      .andWhere('table_name', 'like', 'apim\\_credentials\\_%')
      .andWhere(q =>
        q
          .where('extra', 'like', '%on update%')
          .orWhere('column_default', 'like', '%current_timestamp%'),
      )
      .select('table_name', 'column_name', 'column_default', 'extra');
    // bound_at too (migration 20261205100000), which 20261130120000 created as a TIMESTAMP.
    expect(autoUpdated).toEqual([]);
    const [[boundAt]] = await legacy.raw(
      "SELECT data_type, datetime_precision FROM information_schema.columns WHERE table_schema = ? AND table_name = 'apim_credentials_bindings' AND column_name = 'bound_at'",
      [db],
    );
    expect([boundAt.data_type, Number(boundAt.datetime_precision)]).toEqual([
      'datetime',
      6,
    ]);

    const startedAt = new Date('2026-01-01T10:00:00.123Z');
    const id = await store.audit.startAudit(start, startedAt);
    await store.audit.completeAudit(
      id,
      { outcome: 'succeeded' },
      new Date('2026-01-01T10:00:05.500Z'),
    );
    const row = await store.audit.getAudit(id);
    expect(row?.startedAt).toBe('2026-01-01T10:00:00.123Z');
    expect(row?.finishedAt).toBe('2026-01-01T10:00:05.500Z');

    const provisionedAt = new Date('2026-02-01T08:00:00.000Z');
    await store.mappings.upsertMapping({ ...mapping, provisionedAt });
    await store.mappings.markDrift(mapping, 'removed in API-M');
    const [drifted] = await store.mappings.getMappingsForEntity(
      mapping.entityRef,
    );
    expect(drifted.state).toBe('drifted');
    expect(drifted.provisionedAt).toBe(provisionedAt.toISOString());
  });

  it('replicas whose sessions are in different time zones agree on every instant and filter (item 8)', async () => {
    const knex = await databases.init(databaseId);
    await ApimCredentialsDatabase.create({
      database: { getClient: async () => knex },
    });
    const replica = (zone: string) =>
      createApimCredentialsStores({
        database: {
          getClient: async () => session(knex, [`SET time_zone = '${zone}'`]),
        },
        skipMigrations: true,
      });
    const kolkata = await replica('+05:30');
    const utc = await replica('+00:00');
    const startedAt = new Date('2026-03-01T00:00:00.250Z');
    const id = await kolkata.audit.startAudit(start, startedAt);
    await kolkata.audit.completeAudit(id, { outcome: 'succeeded' }, startedAt);
    await kolkata.mappings.upsertMapping({
      ...mapping,
      provisionedAt: startedAt,
    });

    for (const store of [kolkata, utc]) {
      expect((await store.audit.getAudit(id))?.startedAt).toBe(
        startedAt.toISOString(),
      );
      expect(
        (await store.mappings.getMappingsForEntity(mapping.entityRef))[0]
          .provisionedAt,
      ).toBe(startedAt.toISOString());
      const around = await store.audit.queryAudit({
        limit: 10,
        since: '2026-03-01T00:00:00.250Z',
        until: '2026-03-01T00:00:00.251Z',
      });
      expect(around.items.map(r => r.id)).toEqual([id]);
      const pending = await store.audit.listPendingAudits(
        new Date('2026-03-01T00:00:01Z'),
      );
      expect(pending).toEqual([]);
    }
    // Stored as UTC wall-clock time, readable as such by any SQL client.
    const [[raw]] = await knex.raw(
      "SELECT DATE_FORMAT(started_at, '%Y-%m-%d %H:%i:%s.%f') AS t FROM apim_credentials_audit WHERE id = ?",
      [id],
    );
    expect(raw.t).toBe('2026-03-01 00:00:00.250000');
  });

  it('a binding keeps its instant to the millisecond across session time zones (bound_at, migration 20261205100000)', async () => {
    const knex = await databases.init(databaseId);
    await ApimCredentialsDatabase.create({
      database: { getClient: async () => knex },
    });
    const open = async (zone: string) =>
      ApplicationBindingStore.create({
        database: await ApimCredentialsDatabase.create({
          database: {
            getClient: async () => session(knex, [`SET time_zone = '${zone}'`]),
          },
          skipMigrations: true,
        }),
      });
    const [kolkata, utc] = await Promise.all([open('+05:30'), open('+00:00')]);
    const before = Date.now();
    const bound = await kolkata.bind({
      instance: 'local',
      applicationId: 'app-1',
      applicationName: 'orders-service',
      entityRef: 'component:default/orders-service',
      origin: 'bound',
      boundBy: 'user:default/admin',
    });
    const after = Date.now();
    const boundAt = Date.parse(bound.boundAt);
    // A whole-second TIMESTAMP in the +05:30 session was off by hours, or rounded to the second.
    expect(boundAt).toBeGreaterThanOrEqual(before);
    expect(boundAt).toBeLessThanOrEqual(after);
    expect((await utc.getById('local', 'app-1'))?.boundAt).toBe(bound.boundAt);
    const [[raw]] = await knex.raw(
      "SELECT DATE_FORMAT(bound_at, '%Y-%m-%dT%H:%i:%s.%fZ') AS t FROM apim_credentials_bindings WHERE application_id = 'app-1'",
    );
    expect(Date.parse(raw.t)).toBe(boundAt);
  });
});
