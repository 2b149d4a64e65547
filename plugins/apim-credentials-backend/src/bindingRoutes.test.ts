/**
 * The binding read routes at the REST layer (issue 10 item 1), API-M irrelevant (configured
 * where nothing listens; every annotated name here is bound, so no lookup is made):
 * - `GET /bindings` and `GET /bindings/candidates` need `apim.audit.read`, the permission of the
 *   platform page that shows the Bindings tab; `apim.applications.bind` alone reads nothing;
 * - `GET /bindings/candidates` asks the catalog only for annotated entities, a page at a time
 *   with a limit, never for the whole catalog.
 */
import { Knex } from 'knex';
import request from 'supertest';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  isPermission,
} from '@backstage/plugin-permission-common';
import {
  apimApplicationsBindPermission,
  apimAuditReadPermission,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { createTestDatabases } from './__testUtils__/databases';
import { component, offlineApimConfig } from './__testUtils__/harness';
import { ApimCredentialsDatabase } from './database/ApimCredentialsDatabase';
import { ApplicationBindingStore } from './database/ApplicationBindingStore';
import { apimCredentialsPlugin } from './plugin';

jest.setTimeout(60_000);

const databases = createTestDatabases();

const config = offlineApimConfig();

/** Who holds what: the platform team reads; a binder holds only apim.applications.bind. */
const GRANTS: Record<string, string[]> = {
  'user:default/pat': [apimAuditReadPermission.name],
  'user:default/bea': [apimApplicationsBindPermission.name],
};

const annotated = Array.from({ length: 5 }, (_, i) =>
  component(`svc-${i}`, `app-${i}`),
);
const plain = Array.from({ length: 40 }, (_, i) => component(`lib-${i}`));

describe('binding read routes', () => {
  let knex: Knex;
  let server: any;
  let stop: () => Promise<void>;
  const realCatalog = catalogServiceMock({
    entities: [...plain, ...annotated],
  });
  const catalog = catalogServiceMock.mock({
    getEntities: jest.fn((r, o) => realCatalog.getEntities(r, o)),
    queryEntities: jest.fn((r, o) => realCatalog.queryEntities(r, o)),
    getEntityByRef: jest.fn((r, o) => realCatalog.getEntityByRef(r, o)),
    getEntitiesByRefs: jest.fn((r, o) => realCatalog.getEntitiesByRefs(r, o)),
  });

  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
    const backend = await startTestBackend({
      features: [
        apimCredentialsPlugin,
        mockServices.rootConfig.factory({ data: { apimCredentials: config } }),
        mockServices.database.factory({ knex }),
        mockServices.permissions.mock({
          authorize: async (requests, options) => {
            const principal = options?.credentials.principal as {
              userEntityRef?: string;
            };
            const granted = GRANTS[principal?.userEntityRef ?? ''] ?? [];
            return requests.map(r => ({
              result:
                isPermission(r.permission, r.permission) &&
                granted.includes(r.permission.name)
                  ? AuthorizeResult.ALLOW
                  : AuthorizeResult.DENY,
            }));
          },
        }).factory,
        catalog.factory,
      ],
    });
    server = backend.server;
    stop = () => backend.stop();
    // Every annotated name is bound: candidates need no API-M lookup.
    const bindings = await ApplicationBindingStore.create({
      database: await ApimCredentialsDatabase.create({
        database: { getClient: async () => knex },
        skipMigrations: true,
      }),
    });
    for (const [i, e] of annotated.entries()) {
      await bindings.bind({
        instance: 'local',
        applicationId: `id-${i}`,
        applicationName: `app-${i}`,
        entityRef: `component:default/${e.metadata.name}`,
        origin: 'bound',
        boundBy: 'user:default/pat',
      });
    }
  });

  afterAll(async () => {
    await stop?.();
  });

  const get = (url: string, user: string) =>
    request(server)
      .get(`/api/apim-credentials${url}`)
      .set('authorization', mockCredentials.user.header(user));

  it.each(['/bindings', '/bindings/candidates'])(
    '%s needs apim.audit.read, as the platform page does; apim.applications.bind alone is 403',
    async url => {
      const binder = await get(url, 'user:default/bea');
      expect(binder.status).toBe(403);
      expect(binder.body.error.message).toMatch(/apim\.audit\.read/);
      expect((await get(url, 'user:default/nobody')).status).toBe(403);
      expect((await get(url, 'user:default/pat')).status).toBe(200);
    },
  );

  it('candidates: the catalog is asked for annotated entities only, a page at a time, never the whole catalog', async () => {
    catalog.getEntities.mockClear();
    catalog.queryEntities.mockClear();
    const res = await get('/bindings/candidates', 'user:default/pat');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
    expect(res.headers['apim-candidates-truncated']).toBeUndefined();
    expect(catalog.getEntities).not.toHaveBeenCalled();
    expect(catalog.queryEntities).toHaveBeenCalledTimes(1);
    const [req] = catalog.queryEntities.mock.calls[0] as any[];
    expect(req).toMatchObject({
      query: {
        'metadata.annotations.wso2.com/apim-application': { $exists: true },
      },
      limit: expect.any(Number),
      fields: expect.arrayContaining(['metadata.annotations']),
    });
    // Only the annotated entities came back from the catalog.
    const answer = await (catalog.queryEntities.mock.results[0]
      .value as Promise<{ items: unknown[] }>);
    expect(answer.items).toHaveLength(annotated.length);
  });

  it('candidates: the limit is checked', async () => {
    expect(
      (await get('/bindings/candidates?limit=0', 'user:default/pat')).status,
    ).toBe(400);
    expect(
      (await get('/bindings/candidates?limit=501', 'user:default/pat')).status,
    ).toBe(400);
    expect(
      (await get('/bindings/candidates?limit=10', 'user:default/pat')).status,
    ).toBe(200);
  });
});
