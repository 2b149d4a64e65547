/**
 * The totals of the first audit and mappings pages are counted up to a cap (issue 9: an exact
 * count over 1M rows took up to 393 ms on PostgreSQL): exact at or under the cap, the cap flagged
 * `totalIsLowerBound` above it, on every engine. A cap of 3 keeps the seeding small.
 */
import { Knex } from 'knex';
import {
  createTestDatabases,
  missingRequiredEngines,
} from '../__testUtils__/databases';
import { AuditStore } from './AuditStore';
import { countRows, pageOf } from './countRows';
import { MappingStore } from './MappingStore';
import { ApimCredentialsStores, createApimCredentialsStores } from './stores';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const CAP = 3;

it('runs the PostgreSQL cases when CI asks for them', () => {
  expect(missingRequiredEngines(databases)).toEqual([]);
});

describe.each(databases.eachSupportedId())('capped totals on %p', id => {
  let knex: Knex;
  let stores: ApimCredentialsStores;
  let audit: AuditStore;
  let mappings: MappingStore;
  const statements: string[] = [];

  beforeAll(async () => {
    knex = await databases.init(id);
    stores = await createApimCredentialsStores({
      database: { getClient: async () => knex },
    });
    audit = await AuditStore.create({
      database: stores.database,
      countCap: CAP,
    });
    mappings = await MappingStore.create({
      database: stores.database,
      countCap: CAP,
    });
    knex.on('query', (q: { sql: string }) => statements.push(q.sql));
  });

  const addAudit = (environment: string, minute: number) =>
    audit.startAudit(
      {
        actor: 'user:default/guest',
        source: 'ui',
        action: 'provision',
        entityRef: 'component:default/orders-service',
        environment,
        keyManager: 'IS',
      },
      new Date(Date.UTC(2026, 0, 1, 0, minute)),
    );

  it('counts the audit exactly up to the cap, then says "more than the cap"', async () => {
    await knex('apim_credentials_audit').delete();
    for (let i = 0; i < 3; i++) await addAudit('sandbox', i);
    await addAudit('production', 10);

    const exact = await audit.queryAudit({ limit: 2, environment: 'sandbox' });
    expect(exact.items).toHaveLength(2);
    expect(exact).toMatchObject({ total: 3 });
    expect(exact).not.toHaveProperty('totalIsLowerBound');

    statements.length = 0;
    const capped = await audit.queryAudit({ limit: 2 });
    expect(capped.items).toHaveLength(2);
    expect(capped).toMatchObject({ total: CAP, totalIsLowerBound: true });
    // The count reads at most cap + 1 rows: a limited subquery, not a count of the table.
    const count = statements.find(s => /count\(\*\)/i.test(s));
    expect(count).toMatch(/\(select 1 as .?one.? from .+ limit/i);

    // A page that holds every match is its own total: no count statement at all.
    statements.length = 0;
    const whole = await audit.queryAudit({
      limit: 10,
      environment: 'production',
    });
    expect(whole).toMatchObject({ total: 1 });
    expect(whole).not.toHaveProperty('totalIsLowerBound');
    expect(statements.some(s => /count\(\*\)/i.test(s))).toBe(false);
    expect(
      await audit.queryAudit({ limit: 2, environment: 'none' }),
    ).toMatchObject({ items: [], total: 0 });

    // Later pages carry no total.
    const next = await audit.queryAudit({
      limit: 2,
      cursor: capped.nextCursor,
    });
    expect(next).not.toHaveProperty('total');
    expect(next).not.toHaveProperty('totalIsLowerBound');
  });

  it('counts the mappings exactly up to the cap, then says "more than the cap"', async () => {
    await knex('apim_credentials_mappings').delete();
    const add = (name: string, environment: string) =>
      mappings.upsertMapping({
        entityRef: `component:default/${name}`,
        environment,
        keyManager: 'IS',
        instance: 'local',
        keyType: 'SANDBOX',
        applicationId: `app-${name}`,
        applicationName: name,
        consumerKey: `key-${name}-${environment}`,
        keyMappingId: `km-${name}-${environment}`,
        grantTypes: ['client_credentials'],
        provisionedBy: 'user:default/guest',
        provisionedAt: new Date(),
      });
    for (const name of ['a', 'b', 'c']) await add(name, 'sandbox');
    await add('d', 'production');

    const exact = await mappings.queryMappings({
      limit: 1,
      environment: 'sandbox',
    });
    expect(exact).toMatchObject({ total: 3 });
    expect(exact).not.toHaveProperty('totalIsLowerBound');
    const capped = await mappings.queryMappings({ limit: 1 });
    expect(capped).toMatchObject({ total: CAP, totalIsLowerBound: true });
    const next = await mappings.queryMappings({
      limit: 1,
      cursor: capped.nextCursor,
    });
    expect(next).not.toHaveProperty('total');
  });

  it('refuses a cap that is not a positive integer', async () => {
    await expect(
      countRows(knex, knex('apim_credentials_audit'), 0),
    ).rejects.toThrow(TypeError);
  });
});

describe('pageOf', () => {
  const rows = [1, 2, 3, 4];
  const page = (limit: number, firstPage: boolean) => {
    const count = jest.fn(async () => ({ total: 99 }));
    return {
      count,
      result: pageOf(rows, {
        limit,
        firstPage,
        toItem: n => `item ${n}`,
        cursorOf: n => `after ${n}`,
        count,
      }),
    };
  };

  it('keeps `limit` rows, points past the last one kept and counts only on the first page', async () => {
    const first = page(3, true);
    await expect(first.result).resolves.toEqual({
      items: ['item 1', 'item 2', 'item 3'],
      total: 99,
      nextCursor: 'after 3',
    });
    const later = page(3, false);
    await expect(later.result).resolves.toEqual({
      items: ['item 1', 'item 2', 'item 3'],
      nextCursor: 'after 3',
    });
    expect(later.count).not.toHaveBeenCalled();
  });

  it('a first page holding every match is its own total, without counting', async () => {
    const all = page(4, true);
    await expect(all.result).resolves.toEqual({
      items: ['item 1', 'item 2', 'item 3', 'item 4'],
      total: 4,
      nextCursor: undefined,
    });
    expect(all.count).not.toHaveBeenCalled();
  });
});
