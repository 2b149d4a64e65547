/**
 * Issue 12 item 6 / issue 10 item 5 at the REST layer: Backstage compares entity refs
 * case-insensitively, so every filter (`entityRef`, `actor`, the CSV export, `/mappings`) and
 * every entity path (`/entities/Component/Default/...`) must find the same rows whatever case
 * the caller typed, and rows are written in the canonical lower-case form. API-M is irrelevant
 * here: it is configured at an address where nothing listens.
 */
import { Knex } from 'knex';
import { createTestDatabases } from './__testUtils__/databases';
import {
  Backend,
  component,
  offlineApimConfig,
  startBackend,
} from './__testUtils__/harness';
import { createApimCredentialsStores } from './database/stores';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const REF = 'component:default/orders-reporting';

const config = offlineApimConfig();

describe('entity refs in any case', () => {
  let knex: Knex;
  let backend: Backend;

  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
    backend = await startBackend({
      stack: undefined as any,
      knex,
      config,
      entities: [component('Orders-Reporting', 'orders-reporting')],
    });
    const store = await createApimCredentialsStores({
      database: { getClient: async () => knex },
      skipMigrations: true,
    });
    for (const outcome of ['succeeded', 'failed'] as const) {
      await store.audit.recordAudit(
        {
          actor: 'user:default/guest',
          source: 'ui',
          action: 'provision',
          entityRef: REF,
          environment: 'sandbox',
          keyManager: 'IS',
        },
        { outcome },
      );
    }
    await store.mappings.upsertMapping({
      entityRef: REF,
      environment: 'sandbox',
      keyManager: 'IS',
      instance: 'local',
      keyType: 'SANDBOX',
      applicationId: 'app-1',
      applicationName: 'orders-reporting',
      consumerKey: 'c1',
      keyMappingId: 'k1',
      grantTypes: ['client_credentials'],
      provisionedBy: 'user:default/guest',
      provisionedAt: new Date(),
    });
  });

  afterAll(async () => {
    await backend?.stop();
  });

  const spellings = [
    REF,
    'Component:default/Orders-Reporting',
    'COMPONENT:DEFAULT/ORDERS-REPORTING',
  ];

  it.each(spellings)('GET /audit?entityRef=%s finds both rows', async ref => {
    const res = await backend.call(
      'get',
      `/audit?entityRef=${encodeURIComponent(ref)}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(2);
    expect(res.body.items[0].entityRef).toBe(REF);
  });

  it.each(['user:default/guest', 'user:default/Guest', 'User:Default/GUEST'])(
    'GET /audit?actor=%s finds both rows',
    async actor => {
      const res = await backend.call(
        'get',
        `/audit?actor=${encodeURIComponent(actor)}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(2);
    },
  );

  it.each(spellings)(
    'GET /audit/export?entityRef=%s exports both rows',
    async ref => {
      const res = await backend.call(
        'get',
        `/audit/export?entityRef=${encodeURIComponent(
          ref,
        )}&actor=User:default/Guest`,
      );
      expect(res.status).toBe(200);
      expect(res.text.trim().split('\r\n')).toHaveLength(3);
    },
  );

  it.each(spellings)(
    'GET /mappings?entityRef=%s finds the mapping',
    async ref => {
      const res = await backend.call(
        'get',
        `/mappings?entityRef=${encodeURIComponent(ref)}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(1);
    },
  );

  it('still answers 400 naming the field for what is not an entity ref', async () => {
    const res = await backend.call('get', '/audit?entityRef=Orders-Reporting');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/entityRef/);
  });

  it.each([
    '/entities/Component/Default/Orders-Reporting',
    '/entities/component/default/ORDERS-REPORTING',
  ])('accepts the path %s and answers for the canonical ref', async path => {
    const res = await backend.call('get', `${path}/credentials`);
    expect(res.status).toBe(200);
    expect(res.body.entityRef).toBe(REF);
  });

  it('still answers 400 naming the segment for a namespace that is not one', async () => {
    const res = await backend.call(
      'get',
      '/entities/component/De_fault/orders-reporting/credentials',
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/namespace/);
  });
});
