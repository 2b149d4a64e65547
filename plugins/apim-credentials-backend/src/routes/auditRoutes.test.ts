/**
 * The REST shape of the capped totals (issue 9): GET /audit and GET /mappings answer the first
 * page with `total`, and with `totalIsLowerBound: true` when more rows match than the stores
 * count; later pages carry neither. Real routes, real stores on SQLite (a cap of 3), Backstage's
 * mock auth and an allow-all permission policy.
 */
import express from 'express';
import Router from 'express-promise-router';
import request from 'supertest';
import { Knex } from 'knex';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createTestDatabases } from '../__testUtils__/databases';
import { createAccess } from '../access';
import { AuditStore } from '../database/AuditStore';
import { MappingStore } from '../database/MappingStore';
import { createApimCredentialsStores } from '../database/stores';
import { registerAuditRoutes } from './auditRoutes';

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe('GET /audit and /mappings totals', () => {
  let knex: Knex;
  let app: express.Express;

  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
    const stores = await createApimCredentialsStores({
      database: { getClient: async () => knex },
    });
    const audit = await AuditStore.create({
      database: stores.database,
      countCap: 3,
    });
    const mappings = await MappingStore.create({
      database: stores.database,
      countCap: 3,
    });
    for (let i = 0; i < 5; i++) {
      await audit.startAudit(
        {
          actor: 'user:default/guest',
          source: 'ui',
          action: 'provision',
          entityRef: `component:default/svc-${i}`,
          environment: i < 2 ? 'production' : 'sandbox',
        },
        new Date(Date.UTC(2026, 0, 1, 0, i)),
      );
      await mappings.upsertMapping({
        entityRef: `component:default/svc-${i}`,
        environment: 'sandbox',
        keyManager: 'IS',
        instance: 'local',
        keyType: 'SANDBOX',
        applicationId: `app-${i}`,
        applicationName: `svc-${i}`,
        consumerKey: `key-${i}`,
        keyMappingId: `km-${i}`,
        grantTypes: ['client_credentials'],
        provisionedBy: 'user:default/guest',
        provisionedAt: new Date(),
      });
    }
    const router = Router();
    registerAuditRoutes(router, {
      httpAuth: mockServices.httpAuth(),
      auditor: mockServices.auditor.mock(),
      access: createAccess({
        auth: mockServices.auth(),
        permissions: mockServices.permissions(),
        catalog: catalogServiceMock({ entities: [] }),
      }),
      audit,
      mappings,
    });
    app = express().use(router);
  });

  afterAll(() => knex.destroy());

  it('answers the first page with the capped total, flagged as a lower bound', async () => {
    for (const path of ['/audit?limit=2', '/mappings?limit=2']) {
      const res = await request(app).get(path);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual([
        'items',
        'nextCursor',
        'total',
        'totalIsLowerBound',
      ]);
      expect(res.body).toMatchObject({ total: 3, totalIsLowerBound: true });
      expect(res.body.items).toHaveLength(2);

      const next = await request(app).get(
        `${path}&cursor=${res.body.nextCursor}`,
      );
      expect(next.status).toBe(200);
      expect(next.body).not.toHaveProperty('total');
      expect(next.body).not.toHaveProperty('totalIsLowerBound');
    }
  });

  it('answers an exact total under the cap without the flag', async () => {
    const res = await request(app).get('/audit?limit=1&environment=production');
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(2);
    expect(res.body).not.toHaveProperty('totalIsLowerBound');
  });
});
