/**
 * Abuse suite, authorisation: the REAL demo policy module in the REAL permission backend, the REAL
 * catalog (entities from a temporary yaml file location, so the policy's conditional
 * IS_ENTITY_OWNER decision is resolved by the catalog's own permission integration), the plugin,
 * and the local stack. For every route: an owner, a user of the same organisation who owns
 * nothing, a user of another group, a platform-team member, a service token without a user and
 * no token at all get what the policy says; every denied mutation is a `denied` audit row, and
 * denied requests never reach map-keys or change API-M.
 *
 * The backend with the real policy, catalog and permission backend: __testUtils__/policyBackend.ts.
 */
import { Knex } from 'knex';
import request from 'supertest';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { LocalStack } from '@internal/local-stack';
import {
  componentYaml,
  startPolicyBackend,
} from '../__testUtils__/policyBackend';
import { snapshot } from '../__testUtils__/abuse';

jest.setTimeout(240_000);

/**
 * Another team's entity naming orders-service's application (in another case: WSO2 compares
 * application names case-insensitively, CONTRACT.md 14.1).
 */
const ORDERS_COPY = componentYaml(
  'orders-copy',
  'Orders-Service',
  'team-payments',
);

type Who =
  | 'owner'
  | 'non-owner'
  | 'other group'
  | 'platform'
  | 'service'
  | 'none';
const HEADERS: Record<Who, string> = {
  owner: mockCredentials.user.header('user:default/alice'),
  'non-owner': mockCredentials.user.header('user:default/dave'),
  'other group': mockCredentials.user.header('user:default/bob'),
  platform: mockCredentials.user.header('user:default/pat'),
  service: mockCredentials.service.header(),
  none: mockCredentials.none.header(),
};
const WHO = Object.keys(HEADERS) as Who[];

describe('abuse: authorisation with the demo policy, the permission backend and the catalog', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let stack: LocalStack & { logs: string[] };
  let knex: Knex;
  let server: any;
  let stop: () => Promise<void>;
  let client: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    const backend = await startPolicyBackend({
      databases,
      beforeStart: s =>
        s.emulator.control.patchKeyManager('Resident Key Manager', {
          enableMapOAuthConsumerApps: true,
        }),
      clientName: 'authz-client',
      moreEntitiesYaml: [ORDERS_COPY],
      waitFor: ['component/default/orders-service', 'user/default/alice'],
      user: 'user:default/alice',
    });
    ({ stack, server, knex, client } = backend);
    stop = () => backend.stop();
  });

  afterAll(async () => {
    await stop?.();
  });

  function call(
    who: Who,
    method: 'get' | 'put' | 'post' | 'delete',
    url: string,
    body?: unknown,
  ) {
    const req = request(server)
      [method](`/api/apim-credentials${url}`)
      .set('authorization', HEADERS[who]);
    return body === undefined ? req : req.send(body as object);
  }

  /** orders-service's tab. */
  const TAB = '/entities/component/default/orders-service/credentials';
  const CELL = `${TAB}/sandbox/IS`;
  const body = () => ({
    consumerKey: client.clientId,
    consumerSecret: client.clientSecret,
  });
  const verifyBody = () => ({
    environment: 'sandbox',
    keyManager: 'IS',
    entityRef: 'component:default/orders-service',
    ...body(),
  });

  /** route -> who -> expected status, from the demo policy. */
  const READS: Array<[string, string, Record<Who, number>]> = [
    [
      'GET /environments',
      '/environments',
      {
        owner: 200,
        'non-owner': 200,
        'other group': 200,
        platform: 200,
        service: 200,
        none: 401,
      },
    ],
    [
      'GET credentials',
      TAB,
      {
        owner: 200,
        'non-owner': 200,
        'other group': 200,
        platform: 200,
        service: 403,
        none: 401,
      },
    ],
    [
      'GET /audit',
      '/audit',
      {
        owner: 403,
        'non-owner': 403,
        'other group': 403,
        platform: 200,
        service: 403,
        none: 401,
      },
    ],
    [
      'GET /audit of an entity',
      '/audit?entityRef=component:default/orders-service',
      {
        owner: 200,
        'non-owner': 200,
        'other group': 200,
        platform: 200,
        service: 403,
        none: 401,
      },
    ],
    [
      // Only platform readers may read the history of a ref the catalog does not show (a deleted
      // entity's evidence); for anyone else it answers like a missing entity.
      'GET /audit of an entity not in the catalog',
      '/audit?entityRef=component:default/no-such-service',
      {
        owner: 404,
        'non-owner': 404,
        'other group': 404,
        platform: 200,
        service: 404,
        none: 401,
      },
    ],
    [
      'GET /audit/export',
      '/audit/export',
      {
        owner: 403,
        'non-owner': 403,
        'other group': 403,
        platform: 200,
        service: 403,
        none: 401,
      },
    ],
    [
      'GET /mappings',
      '/mappings',
      {
        owner: 403,
        'non-owner': 403,
        'other group': 403,
        platform: 200,
        service: 403,
        none: 401,
      },
    ],
  ];

  describe.each(READS)('%s', (_name, url, expected) => {
    it.each(WHO)('%s', async who => {
      const before = await snapshot(knex, stack);
      const res = await call(who, 'get', url);
      // a denial says what the caller may not do
      const mayNot = expect.stringMatching(/may not/);
      expect({
        who,
        status: res.status,
        denial: res.status === 403 ? res.body.error.message : undefined,
      }).toEqual({
        who,
        status: expected[who],
        denial: expected[who] === 403 ? mayNot : undefined,
      });
      // reads never write: no audit row, denied or not
      const after = await snapshot(knex, stack);
      expect(after.db).toEqual(before.db);
    });
  });

  const MUTATIONS: Array<
    [
      string,
      'put' | 'delete' | 'post',
      () => string,
      () => unknown,
      'provision' | 'unprovision' | 'verify',
    ]
  > = [
    ['PUT credentials', 'put', () => CELL, body, 'provision'],
    [
      'DELETE credentials',
      'delete',
      () => `${CELL}?consumerKey=${encodeURIComponent(client.clientId)}`,
      () => undefined,
      'unprovision',
    ],
    ['POST /verify', 'post', () => '/verify', verifyBody, 'verify'],
  ];

  describe.each(MUTATIONS)('%s', (_name, method, url, payload, action) => {
    it.each(['non-owner', 'other group', 'platform', 'service'] as Who[])(
      '%s: 403, a denied audit row, API-M untouched',
      async who => {
        const before = await snapshot(knex, stack);
        const res = await call(who, method, url(), payload());
        expect(res.status).toBe(403);
        expect(res.body.error.message).toMatch(/may not/);
        const after = await snapshot(knex, stack);
        expect(after.apim).toEqual(before.apim);
        expect(
          Object.keys(after.stats.byRoute).filter(
            r =>
              /map-keys|oauth-keys|\/applications/.test(r) &&
              after.stats.byRoute[r] !== before.stats.byRoute[r],
          ),
        ).toEqual([]);
        const rows = await knex('apim_credentials_audit')
          .where({ action, outcome: 'denied' })
          .orderBy('seq', 'desc');
        expect(rows.length).toBeGreaterThan(0);
        const aUser = expect.stringMatching(/^user:default\//);
        expect(rows[0]).toMatchObject({
          actor: who === 'service' ? 'external:test-service' : aUser,
          error_code: 'PERMISSION_DENIED',
          environment: 'sandbox',
          key_manager: 'IS',
        });
        expect(JSON.stringify(rows)).not.toContain(client.clientSecret);
        expect((after.db.apim_credentials_audit as unknown[]).length).toBe(
          (before.db.apim_credentials_audit as unknown[]).length + 1,
        );
      },
    );

    it('no token: 401 and nothing recorded', async () => {
      const before = await snapshot(knex, stack);
      const res = await call('none', method, url(), payload());
      expect(res.status).toBe(401);
      const after = await snapshot(knex, stack);
      expect(after.db).toEqual(before.db);
      expect(after.stats.total).toBe(before.stats.total);
    });
  });

  it('the owner may provision, verify and remove (through the group that owns the entity)', async () => {
    const put = await call('owner', 'put', CELL, body());
    expect(put.status).toBe(201);
    const again = await call('owner', 'put', CELL, body());
    expect(again.status).toBe(200);
    const verify = await call('owner', 'post', '/verify', verifyBody());
    expect(verify.status).toBe(200);
    expect(verify.body.ok).toBe(true);
    // other users still may not remove it
    expect(
      (
        await call(
          'other group',
          'delete',
          `${CELL}?consumerKey=${encodeURIComponent(client.clientId)}`,
        )
      ).status,
    ).toBe(403);
    expect(
      (await stack.emulator.control.state()).keyMappings.filter(
        m => m.consumerKey === client.clientId,
      ),
    ).toHaveLength(1);
    const removed = await call(
      'owner',
      'delete',
      `${CELL}?consumerKey=${encodeURIComponent(client.clientId)}`,
    );
    expect(removed.status).toBe(200);
    expect(removed.body.status).toBe('removed');
    const rows = await knex('apim_credentials_audit')
      .where({ actor: 'user:default/alice' })
      .whereIn('action', ['provision', 'unprovision', 'verify']);
    expect(rows.map(r => r.outcome).sort()).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'unchanged',
    ]);
  });

  it('an owner of another entity may not touch this one, but may touch their own', async () => {
    const other = await stack.keyManager.createClient({
      name: 'authz-payments',
      grantTypes: ['client_credentials'],
    });
    const own = await call(
      'other group',
      'put',
      '/entities/component/default/payments-service/credentials/sandbox/IS',
      { consumerKey: other.clientId, consumerSecret: other.clientSecret },
    );
    expect(own.status).toBe(201);
    const foreign = await call(
      'owner',
      'delete',
      `/entities/component/default/payments-service/credentials/sandbox/IS?consumerKey=${encodeURIComponent(
        other.clientId,
      )}`,
    );
    expect(foreign.status).toBe(403);
    expect(
      (await stack.emulator.control.state()).keyMappings.filter(
        m => m.consumerKey === other.clientId,
      ),
    ).toHaveLength(1);
  });

  describe('two entities with different owners naming one application (issue 10)', () => {
    const COPY = '/entities/component/default/orders-copy/credentials';
    const ORDERS = 'component:default/orders-service';
    let aliceClient: { clientId: string; clientSecret: string };
    let bobClient: { clientId: string; clientSecret: string };

    beforeAll(async () => {
      aliceClient = await stack.keyManager.createClient({
        name: 'authz-bound-owner',
        grantTypes: ['client_credentials'],
      });
      bobClient = await stack.keyManager.createClient({
        name: 'authz-intruder',
        grantTypes: ['client_credentials'],
      });
      const put = await call('owner', 'put', CELL, {
        consumerKey: aliceClient.clientId,
        consumerSecret: aliceClient.clientSecret,
      });
      if (put.status !== 201) {
        throw new Error(
          `Providing alice's client answered ${put.status}: ${JSON.stringify(
            put.body,
          )}`,
        );
      }
    });

    async function expectUntouched(
      before: Awaited<ReturnType<typeof snapshot>>,
    ) {
      const after = await snapshot(knex, stack);
      expect(after.apim).toEqual(before.apim);
      for (const route of Object.keys(after.stats.byRoute)) {
        if (
          /map-keys|oauth-keys\/|DELETE|POST \/api\/am\/devportal\/v3\/applications$/.test(
            route,
          )
        ) {
          expect({ route, count: after.stats.byRoute[route] }).toEqual({
            route,
            count: before.stats.byRoute[route],
          });
        }
      }
    }

    it('the application was bound to the entity Backstage created it for', async () => {
      const res = await call('platform', 'get', '/bindings');
      expect(res.status).toBe(200);
      expect(res.body).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            instance: 'local',
            applicationName: 'orders-service',
            entityRef: ORDERS,
            origin: 'created',
            boundBy: 'user:default/alice',
          }),
        ]),
      );
    });

    it('GET: 403 naming the entity it belongs to, and no key of it', async () => {
      const res = await call('other group', 'get', COPY);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('APPLICATION_BOUND_ELSEWHERE');
      expect(res.body.error.message).toContain(ORDERS);
      expect(res.text).not.toContain(aliceClient.clientId);
    });

    it('PUT: 403, nothing mapped, a denied row on both histories', async () => {
      const before = await snapshot(knex, stack);
      const res = await call('other group', 'put', `${COPY}/sandbox/IS`, {
        consumerKey: bobClient.clientId,
        consumerSecret: bobClient.clientSecret,
      });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('APPLICATION_BOUND_ELSEWHERE');
      expect(res.body.error.message).toContain(ORDERS);
      await expectUntouched(before);
      const rows = await knex('apim_credentials_audit')
        .where({ action: 'provision', outcome: 'denied' })
        .andWhere('error_code', 'APPLICATION_BOUND_ELSEWHERE')
        .andWhere(
          'seq',
          '>',
          (before.db.apim_credentials_audit as any[]).length,
        )
        .select('entity_ref', 'actor');
      expect(rows.map(r => r.entity_ref).sort()).toEqual([
        'component:default/orders-copy',
        ORDERS,
      ]);
      expect(rows.every(r => r.actor === 'user:default/bob')).toBe(true);
      expect(
        JSON.stringify(await knex('apim_credentials_audit')),
      ).not.toContain(bobClient.clientSecret);
    });

    it('PUT as a dry run: 403 and a denied row flagged as a dry run', async () => {
      const res = await call(
        'other group',
        'put',
        `${COPY}/sandbox/IS?dryRun=true`,
        {
          consumerKey: bobClient.clientId,
          consumerSecret: bobClient.clientSecret,
        },
      );
      expect(res.status).toBe(403);
      const row = await knex('apim_credentials_audit')
        .where({
          entity_ref: 'component:default/orders-copy',
          outcome: 'denied',
        })
        .orderBy('seq', 'desc')
        .first();
      expect(Boolean(row.dry_run)).toBe(true);
    });

    it("DELETE: 403, the owner's client stays mapped", async () => {
      const before = await snapshot(knex, stack);
      const res = await call(
        'other group',
        'delete',
        `${COPY}/sandbox/IS?consumerKey=${encodeURIComponent(
          aliceClient.clientId,
        )}`,
      );
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain(ORDERS);
      await expectUntouched(before);
      expect(
        (await stack.emulator.control.state()).keyMappings.filter(
          m => m.consumerKey === aliceClient.clientId,
        ),
      ).toHaveLength(1);
    });

    it("verify: 403 for the copy, and for the owner's client through an entity of their own", async () => {
      const forCopy = await call('other group', 'post', '/verify', {
        environment: 'sandbox',
        keyManager: 'IS',
        entityRef: 'component:default/orders-copy',
        consumerKey: aliceClient.clientId,
        consumerSecret: 'a-guess',
      });
      expect(forCopy.status).toBe(403);
      expect(forCopy.body.error.message).toContain(ORDERS);
      const viaOwn = await call('other group', 'post', '/verify', {
        environment: 'sandbox',
        keyManager: 'IS',
        entityRef: 'component:default/payments-service',
        consumerKey: aliceClient.clientId,
        consumerSecret: 'a-guess',
      });
      expect(viaOwn.status).toBe(403);
      expect(viaOwn.body.error.message).toMatch(/may not verify/);
      // and verify without an entity is a 400 naming the field
      const bare = await call('other group', 'post', '/verify', {
        environment: 'sandbox',
        keyManager: 'IS',
        consumerKey: aliceClient.clientId,
        consumerSecret: 'a-guess',
      });
      expect(bare.status).toBe(400);
      expect(bare.body.error.message).toContain('entityRef');
    });

    it('the bound owner still works', async () => {
      const res = await call('owner', 'get', TAB);
      expect(res.status).toBe(200);
      expect(res.text).toContain(aliceClient.clientId);
    });

    it('an unbound application is usable only after the platform team binds it', async () => {
      const bound = await call(
        'platform',
        'get',
        `/bindings?entityRef=${ORDERS}`,
      );
      const appId = bound.body[0].applicationId;
      // Only apim.applications.bind may unbind; the attempt is audited.
      expect(
        (await call('owner', 'delete', `/bindings/local/${appId}`)).status,
      ).toBe(403);
      expect(
        (await call('platform', 'delete', `/bindings/local/${appId}`)).status,
      ).toBe(200);
      const denied = await call('owner', 'get', TAB);
      expect(denied.status).toBe(403);
      expect(denied.body.error.code).toBe('APPLICATION_NOT_BOUND');
      expect(denied.text).not.toContain(aliceClient.clientId);
      const candidates = await call('platform', 'get', '/bindings/candidates');
      expect(candidates.status).toBe(200);
      expect(candidates.body).toEqual([
        expect.objectContaining({
          applicationId: appId,
          entityRefs: ['component:default/orders-copy', ORDERS],
        }),
      ]);
      const binding = {
        instance: 'local',
        applicationName: 'orders-service',
        entityRef: ORDERS,
      };
      expect((await call('owner', 'post', '/bindings', binding)).status).toBe(
        403,
      );
      const bind = await call('platform', 'post', '/bindings', binding);
      expect(bind.status).toBe(201);
      expect(bind.body).toMatchObject({ entityRef: ORDERS, origin: 'bound' });
      expect((await call('owner', 'get', TAB)).status).toBe(200);
      const rows = await knex('apim_credentials_audit')
        .whereIn('action', ['bind', 'unbind'])
        .orderBy('seq');
      expect(rows.map(r => [r.action, r.outcome, r.entity_ref])).toEqual([
        ['unbind', 'denied', ORDERS],
        ['unbind', 'succeeded', ORDERS],
        ['bind', 'denied', ORDERS],
        ['bind', 'succeeded', ORDERS],
      ]);
    });

    afterAll(async () => {
      await call(
        'owner',
        'delete',
        `${CELL}?consumerKey=${encodeURIComponent(aliceClient.clientId)}`,
      );
    });
  });

  it('the platform team sees what the denials left in the audit log', async () => {
    const res = await call(
      'platform',
      'get',
      '/audit?outcome=denied&limit=100',
    );
    expect(res.status).toBe(200);
    const actions = new Set(res.body.items.map((r: any) => r.action));
    expect([...actions].sort()).toEqual([
      'bind',
      'provision',
      'unbind',
      'unprovision',
      'verify',
    ]);
    expect(JSON.stringify(res.body)).not.toContain(client.clientSecret);
  });
});
