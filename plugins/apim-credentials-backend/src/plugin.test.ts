/**
 * The whole plugin in a real Backstage test backend, against the local stack's API-M emulator
 * and key manager (child processes, HTTPS with their CA): provisioning, idempotency, conflicts,
 * verification, unprovisioning, WSO2's error cases, every emulator fault, permissions, and a
 * final scan proving that no consumer secret reached a log line, a response or the database.
 */
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { mockCredentials } from '@backstage/backend-test-utils';
import { createTestDatabases } from './__testUtils__/databases';
import {
  credentialsOf,
  dumpDatabase,
  startBackend,
  useStackBackend,
} from './__testUtils__/harness';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const CELL = '/entities/component/default/orders-service/credentials';
/** API-M's error body of a 503. */
const SERVICE_UNAVAILABLE = {
  code: 503,
  message: 'Service Unavailable',
  description: '',
  moreInfo: '',
  error: [],
};

describe('apim-credentials backend against the local stack', () => {
  const suite = useStackBackend({ databases });
  const secrets = new Set<string>();
  let clientCounter = 0;

  async function newClient(grantTypes = ['client_credentials']) {
    clientCounter += 1;
    const client = await suite.stack.keyManager.createClient({
      name: `test-client-${clientCounter}`,
      grantTypes,
    });
    secrets.add(client.clientSecret);
    return client;
  }
  const wrongSecret = () => {
    const s = `wrong-secret-${Math.random().toString(36).slice(2)}`;
    secrets.add(s);
    return s;
  };
  const mappings = async () =>
    (await suite.stack.emulator.control.state()).keyMappings;
  const auditRow = async (auditId: string) =>
    await suite.knex('apim_credentials_audit').where({ id: auditId }).first();

  beforeAll(() => {
    for (const c of suite.stack.demoClients) secrets.add(c.clientSecret);
  });

  afterEach(async () => {
    await suite.stack.emulator.control.clearFaults();
  });

  it('lists environments with the key managers each offers', async () => {
    let res = await suite.backend.call('get', '/environments');
    // API-M's default: the resident key manager does not take existing clients.
    expect(
      res.body[0].keyManagers.find(
        (k: any) => k.name === 'Resident Key Manager',
      ),
    ).toMatchObject({
      mappingAllowed: false,
      reason: expect.stringContaining('enableMapOAuthConsumerApps is off'),
    });
    await suite.stack.emulator.control.patchKeyManager('Resident Key Manager', {
      enableMapOAuthConsumerApps: true,
    });
    res = await suite.backend.call('get', '/environments');
    expect(res.status).toBe(200);
    const [sandbox, production] = res.body;
    expect(sandbox).toMatchObject({
      id: 'sandbox',
      keyType: 'SANDBOX',
      instance: 'local',
    });
    expect(sandbox.keyManagers.find((k: any) => k.name === 'IS')).toMatchObject(
      {
        mappingAllowed: true,
        tokenEndpoint: expect.stringContaining('/oauth2/token'),
      },
    );
    expect(
      production.keyManagers.find(
        (k: any) => k.name === 'Resident Key Manager',
      ),
    ).toMatchObject({
      mappingAllowed: false,
      reason: expect.stringContaining('allow-list'),
    });
  });

  it('provisions a seeded client, then answers unchanged, and the tab shows it', async () => {
    const demo = suite.stack.demoClients.find(
      c => c.name === 'orders-service-sandbox',
    )!;
    const body = {
      consumerKey: demo.clientId,
      consumerSecret: demo.clientSecret,
      verify: true,
    };
    const first = await suite.backend.call('put', `${CELL}/sandbox/IS`, body);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      status: 'created',
      keyType: 'SANDBOX',
      consumerKey: demo.clientId,
      applicationName: 'orders-service',
    });
    expect(first.text).not.toContain(demo.clientSecret);
    expect(
      (await mappings()).filter(m => m.consumerKey === demo.clientId),
    ).toHaveLength(1);
    expect(await auditRow(first.body.auditId)).toMatchObject({
      outcome: 'succeeded',
      action: 'provision',
      actor: 'user:default/mock',
      key_mapping_id: first.body.keyMappingId,
      consumer_key: demo.clientId,
    });
    // verify: true proved the credentials before mapping them (issue 15 item 7).
    expect(Boolean((await auditRow(first.body.auditId)).verified)).toBe(true);
    // the application was created on first use, and that is audited too
    expect(
      await suite.knex('apim_credentials_audit').where({
        action: 'create-application',
        outcome: 'succeeded',
      }),
    ).toHaveLength(1);

    const again = await suite.backend.call('put', `${CELL}/sandbox/IS`, body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      status: 'unchanged',
      keyMappingId: first.body.keyMappingId,
    });
    expect((await auditRow(again.body.auditId)).outcome).toBe('unchanged');
    expect(
      (await mappings()).filter(m => m.consumerKey === demo.clientId),
    ).toHaveLength(1);

    const tab = await suite.backend.call(
      'get',
      '/entities/component/default/orders-service/credentials',
    );
    expect(tab.status).toBe(200);
    const sandbox = tab.body.environments.find(
      (e: any) => e.environment === 'sandbox',
    );
    expect(sandbox.application.name).toBe('orders-service');
    expect(
      sandbox.mappings.find((m: any) => m.keyManager === 'IS'),
    ).toMatchObject({
      state: 'mapped',
      consumerKey: demo.clientId,
      keyMappingId: first.body.keyMappingId,
      provisionedBy: 'user:default/mock',
      grantTypes: expect.arrayContaining(['client_credentials']),
    });
    const production = tab.body.environments.find(
      (e: any) => e.environment === 'production',
    );
    expect(production.mappings).toEqual([
      expect.objectContaining({ keyManager: 'IS', state: 'unmapped' }),
    ]);
  });

  it('answers 409 saying what is mapped where', async () => {
    const demo = suite.stack.demoClients.find(
      c => c.name === 'orders-service-sandbox',
    )!;
    const other = await newClient();
    const slotTaken = await suite.backend.call(
      'put',
      `${CELL}/sandbox/IS`,
      credentialsOf(other),
    );
    expect(slotTaken.status).toBe(409);
    expect(slotTaken.body.error.message).toContain(demo.clientId);
    expect(slotTaken.body.error.message).toContain('sandbox');
    expect(slotTaken.body.error.code).toBe('SLOT_TAKEN');

    const otherType = await suite.backend.call(
      'put',
      `${CELL}/production/IS`,
      credentialsOf(demo),
    );
    expect(otherType.status).toBe(409);
    expect(otherType.body.error.message).toMatch(/already the SANDBOX key/);
    expect(otherType.body.error.code).toBe('OTHER_KEY_TYPE');

    const otherApp = await suite.backend.call(
      'put',
      '/entities/component/default/web-portal/credentials/sandbox/IS',
      credentialsOf(demo),
    );
    expect(otherApp.status).toBe(409);
    expect(otherApp.body.error.message).toMatch(/another API-M application/);
    expect(otherApp.body.error.code).toBe('MAPPED_ELSEWHERE');
    // The audit rows record the same stable codes.
    const failed = await suite
      .knex('apim_credentials_audit')
      .where({ outcome: 'failed' })
      .whereIn('error_code', [
        'SLOT_TAKEN',
        'OTHER_KEY_TYPE',
        'MAPPED_ELSEWHERE',
      ]);
    expect(failed.length).toBeGreaterThanOrEqual(3);
  });

  it('verifies credentials and says why they fail', async () => {
    const good = await newClient();
    const ok = await suite.backend.call('post', '/verify', {
      entityRef: 'component:default/orders-service',
      environment: 'sandbox',
      keyManager: 'IS',
      consumerKey: good.clientId,
      consumerSecret: good.clientSecret,
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true });

    const wrong = await suite.backend.call('post', '/verify', {
      entityRef: 'component:default/orders-service',
      environment: 'sandbox',
      keyManager: 'IS',
      consumerKey: good.clientId,
      consumerSecret: wrongSecret(),
    });
    expect(wrong.body).toMatchObject({
      ok: false,
      error: 'invalid_client',
      message: expect.stringMatching(/secret is wrong/),
    });

    const noCc = suite.stack.demoClients.find(
      c => c.name === 'web-portal-no-cc',
    )!;
    const grant = await suite.backend.call('post', '/verify', {
      entityRef: 'component:default/orders-service',
      environment: 'sandbox',
      keyManager: 'IS',
      consumerKey: noCc.clientId,
      consumerSecret: noCc.clientSecret,
    });
    expect(grant.body).toMatchObject({
      ok: false,
      error: 'unauthorized_client',
      message: expect.stringMatching(/client_credentials grant/),
    });
    expect(
      await suite.knex('apim_credentials_audit').where({ action: 'verify' }),
    ).toHaveLength(3);
  });

  it('refuses to map when verification fails, before calling map-keys', async () => {
    const client = await newClient();
    const before = (await suite.stack.emulator.control.stats()).byRoute;
    const res = await suite.backend.call(
      'put',
      '/entities/component/default/web-portal/credentials/sandbox/IS',
      {
        consumerKey: client.clientId,
        consumerSecret: wrongSecret(),
        verify: true,
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/Verification failed/);
    const after = (await suite.stack.emulator.control.stats()).byRoute;
    const mapKeys = (s: Record<string, number>) =>
      Object.entries(s)
        .filter(([k]) => k.includes('map-keys'))
        .reduce((n, [, v]) => n + v, 0);
    expect(mapKeys(after)).toBe(mapKeys(before));
    expect(
      (await mappings()).find(m => m.consumerKey === client.clientId),
    ).toBeUndefined();
  });

  it("translates WSO2's opaque 900967 for a wrong secret into the key manager's reason", async () => {
    const client = await newClient();
    const res = await suite.backend.call(
      'put',
      '/entities/component/default/web-portal/credentials/sandbox/IS',
      {
        consumerKey: client.clientId,
        consumerSecret: wrongSecret(),
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/secret is wrong/);
    const unknown = await suite.backend.call(
      'put',
      '/entities/component/default/web-portal/credentials/sandbox/IS',
      {
        consumerKey: 'no-such-client',
        consumerSecret: wrongSecret(),
      },
    );
    expect(unknown.status).toBe(400);
    expect(
      await suite.knex('apim_credentials_audit').where({
        error_code: 'VERIFICATION_FAILED',
      }),
    ).not.toHaveLength(0);
  });

  const SVC11_SANDBOX =
    '/entities/component/default/svc-11/credentials/sandbox/IS';
  /** Runs `fn` while the emulator's key manager IS has `patch`, then applies `restore`. */
  async function withIsPatched(
    patch: Record<string, unknown>,
    restore: Record<string, unknown>,
    fn: () => Promise<void>,
  ) {
    await suite.stack.emulator.control.patchKeyManager('IS', patch);
    try {
      await fn();
    } finally {
      await suite.stack.emulator.control.patchKeyManager('IS', restore);
    }
  }

  it('rejects key managers the environment does not offer, unknown environments and entities', async () => {
    const client = await newClient();
    const body = credentialsOf(client);
    const notAllowed = await suite.backend.call(
      'put',
      `${CELL}/production/Resident%20Key%20Manager`,
      body,
    );
    expect(notAllowed.status).toBe(400);
    expect(notAllowed.body.error.message).toMatch(
      /not offered for environment "production".*allow-list.*offers IS/,
    );

    // API-M itself does not enforce these flags (CONTRACT.md TL;DR 3); the plugin does.
    await withIsPatched(
      { enableMapOAuthConsumerApps: false },
      { enableMapOAuthConsumerApps: true },
      async () => {
        const refused = await suite.backend.call('put', SVC11_SANDBOX, body);
        expect(refused.status).toBe(400);
        expect(refused.body.error.message).toMatch(
          /enableMapOAuthConsumerApps is off/,
        );
      },
    );
    await withIsPatched({ enabled: false }, { enabled: true }, async () => {
      const disabled = await suite.backend.call('put', SVC11_SANDBOX, body);
      expect(disabled.status).toBe(400);
      expect(disabled.body.error.message).toMatch(/disabled/);
    });
    expect(
      (await mappings()).find(m => m.consumerKey === client.clientId),
    ).toBeUndefined();

    expect(await suite.backend.status('put', `${CELL}/staging/IS`, body)).toBe(
      404,
    );
    expect(
      await suite.backend.status(
        'put',
        '/entities/component/default/nope/credentials/sandbox/IS',
        body,
      ),
    ).toBe(404);
    const noAnnotation = await suite.backend.call(
      'put',
      '/entities/component/default/legacy-batch/credentials/sandbox/IS',
      body,
    );
    expect(noAnnotation.status).toBe(400);
    expect(noAnnotation.body.error.message).toMatch(
      /wso2.com\/apim-application/,
    );
    const badBody = await suite.backend.call('put', `${CELL}/sandbox/IS`, {
      consumerKey: '',
      consumerSecret: 'x',
      extra: 1,
    });
    expect(badBody.status).toBe(400);
    expect(badBody.body.error.message).toMatch(
      /consumerKey must not be empty.*unknown field "extra"|unknown field "extra".*consumerKey/,
    );
  });

  it('unprovisions without touching the client in its key manager, idempotently', async () => {
    const client = await newClient();
    const body = credentialsOf(client);
    const cell = '/entities/component/default/svc-1/credentials/sandbox/IS';
    expect(await suite.backend.status('put', cell, body)).toBe(201);
    const named = `${cell}?consumerKey=${encodeURIComponent(client.clientId)}`;
    // Naming another client removes nothing (issue 10 item 2).
    const mismatch = await suite.backend.call(
      'delete',
      `${cell}?consumerKey=someone-else`,
    );
    expect(mismatch.status).toBe(409);
    expect(mismatch.body.error.code).toBe('CONSUMER_KEY_MISMATCH');
    expect(mismatch.body.error.message).toContain(client.clientId);
    expect(
      (await mappings()).filter(m => m.consumerKey === client.clientId),
    ).toHaveLength(1);
    // Without naming one, a 400 naming the field.
    const unnamed = await suite.backend.call('delete', cell);
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.error.message).toContain('consumerKey');
    const removed = await suite.backend.call('delete', named);
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({
      status: 'removed',
      consumerKey: client.clientId,
    });
    expect(
      (await mappings()).find(m => m.consumerKey === client.clientId),
    ).toBeUndefined();
    expect(
      await suite.stack.keyManager.client.getClient(client.clientId),
    ).toBeDefined();
    expect(await auditRow(removed.body.auditId)).toMatchObject({
      outcome: 'succeeded',
      consumer_key: client.clientId,
    });
    const again = await suite.backend.call('delete', named);
    expect(again.body).toMatchObject({ status: 'unchanged' });
    expect((await auditRow(again.body.auditId)).outcome).toBe('unchanged');
  });

  it('removes only what Backstage may: outside the allow-list, only key managers recorded for the entity', async () => {
    // production offers only IS (allow-list); the resident key manager is registered but not offered.
    const res = await suite.backend.call(
      'delete',
      `/entities/component/default/svc-3/credentials/production/Resident%20Key%20Manager?consumerKey=x`,
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /not offered for environment "production"/,
    );
  });

  it('creates no application for credentials that are not proven (issue 10 item 6)', async () => {
    const client = await newClient();
    const before = await suite.stack.emulator.control.state();
    const res = await suite.backend.call(
      'put',
      '/entities/component/default/svc-4/credentials/sandbox/IS',
      { consumerKey: client.clientId, consumerSecret: wrongSecret() },
    );
    expect(res.status).toBe(400);
    const after = await suite.stack.emulator.control.state();
    expect(after.applications.map(a => a.name)).toEqual(
      before.applications.map(a => a.name),
    );
    expect(
      await suite.knex('apim_credentials_audit').where({
        action: 'create-application',
        application_name: 'svc-4',
      }),
    ).toHaveLength(0);
  });

  it('deletes the application an attempt created when the attempt still fails, audited', async () => {
    const client = await newClient();
    await suite.stack.emulator.control.setFaults([
      {
        type: 'error',
        status: 503,
        body: SERVICE_UNAVAILABLE,
        method: 'POST',
        path: '/api/am/devportal/v3/applications/*/map-keys',
      },
    ]);
    const res = await suite.backend.call(
      'put',
      '/entities/component/default/svc-5/credentials/sandbox/IS',
      credentialsOf(client),
    );
    await suite.stack.emulator.control.clearFaults();
    expect(res.status).toBeGreaterThanOrEqual(500);
    const state = await suite.stack.emulator.control.state();
    expect(state.applications.find(a => a.name === 'svc-5')).toBeUndefined();
    const rows = await suite
      .knex('apim_credentials_audit')
      .where({ application_name: 'svc-5' })
      .whereIn('action', ['create-application', 'delete-application'])
      .orderBy('seq');
    expect(rows.map(r => [r.action, r.outcome])).toEqual([
      ['create-application', 'succeeded'],
      ['delete-application', 'succeeded'],
    ]);
    expect(
      await suite.knex('apim_credentials_bindings').where({
        application_name: 'svc-5',
      }),
    ).toHaveLength(0);
  });

  it('falls back to clean-up on API-M 4.2, which has no DELETE', async () => {
    await suite.stack.emulator.control.setConfig({ hasDeleteEndpoint: false });
    try {
      const client = await newClient();
      const cell = '/entities/component/default/svc-2/credentials/sandbox/IS';
      expect(
        await suite.backend.status('put', cell, credentialsOf(client)),
      ).toBe(201);
      const removed = await suite.backend.call(
        'delete',
        `${cell}?consumerKey=${encodeURIComponent(client.clientId)}`,
      );
      expect(removed.body.status).toBe('removed');
      expect(
        (await mappings()).find(m => m.consumerKey === client.clientId),
      ).toBeUndefined();
    } finally {
      await suite.stack.emulator.control.setConfig({ hasDeleteEndpoint: true });
    }
  });

  describe('API-M faults', () => {
    const mapKeysPath = '/api/am/devportal/v3/applications/*/map-keys';

    it.each([
      ['timeout', { type: 'timeout' as const }, 504, /did not answer in time/],
      ['reset', { type: 'reset' as const }, 503, /unreachable/],
      [
        '5xx',
        {
          type: 'error' as const,
          status: 503,
          body: SERVICE_UNAVAILABLE,
        },
        502,
        /HTTP 503/,
      ],
      [
        'malformed body',
        { type: 'malformed' as const },
        502,
        /could not be read/,
      ],
    ])(
      'map-keys %s: a clear error, a failed audit row, no leftover mapping',
      async (_name, fault, status, message) => {
        const client = await newClient();
        await suite.stack.emulator.control.setFaults([
          { ...fault, method: 'POST', path: mapKeysPath },
        ]);
        const started = Date.now();
        const res = await suite.backend.call(
          'put',
          '/entities/component/default/svc-3/credentials/sandbox/IS',
          credentialsOf(client),
        );
        expect(Date.now() - started).toBeLessThan(10_000);
        expect(res.status).toBe(status);
        expect(res.body.error.message).toMatch(message);
        const row = await suite
          .knex('apim_credentials_audit')
          .where({ consumer_key: client.clientId, action: 'provision' })
          .first();
        expect(row).toMatchObject({ outcome: 'failed' });
        expect(row.error_message).toMatch(message);
        await suite.stack.emulator.control.clearFaults();
        // These faults stop API-M before it maps anything: nothing is left behind.
        expect(
          (await mappings()).filter(m => m.consumerKey === client.clientId),
        ).toHaveLength(0);
        await suite.backend.call(
          'delete',
          '/entities/component/default/svc-3/credentials/sandbox/IS',
        );
      },
    );

    it('finishes a mapping that map-keys wrote before failing (token minting)', async () => {
      const client = await newClient();
      await suite.stack.emulator.control.setFaults([
        {
          type: 'failAfterMapping',
          method: 'POST',
          path: mapKeysPath,
          times: 1,
        },
      ]);
      const res = await suite.backend.call(
        'put',
        '/entities/component/default/svc-4/credentials/sandbox/IS',
        credentialsOf(client),
      );
      expect(res.status).toBe(201);
      expect(res.body.status).toBe('created');
      expect(
        (await mappings()).filter(m => m.consumerKey === client.clientId),
      ).toHaveLength(1);
      expect((await auditRow(res.body.auditId)).outcome).toBe('succeeded');
    });

    it('reads the tab with API-M down: a per-environment error, not a hang', async () => {
      await suite.stack.emulator.control.setFaults([
        {
          type: 'timeout',
          path: '/api/am/devportal/v3/applications/*/oauth-keys',
        },
      ]);
      const res = await suite.backend.call(
        'get',
        '/entities/component/default/orders-service/credentials',
      );
      expect(res.status).toBe(200);
      expect(res.body.environments[0].error).toMatch(/did not answer in time/);
    });

    it('retries once with a fresh token when API-M rejects the cached one', async () => {
      await suite.stack.emulator.control.setFaults([
        {
          type: 'error',
          status: 401,
          path: '/api/am/devportal/v3/key-managers',
          times: 1,
          body: {
            code: 401,
            message: '',
            description: 'Unauthenticated request',
            moreInfo: '',
            error: [],
          },
        },
      ]);
      const tokensBefore = (await suite.stack.emulator.control.stats())
        .tokenRequests;
      const res = await suite.backend.call(
        'get',
        '/entities/component/default/svc-5/credentials',
      );
      expect(res.status).toBe(200);
      expect(res.body.environments[0].error).toBeUndefined();
      expect(
        (await suite.stack.emulator.control.stats()).tokenRequests,
      ).toBeLessThanOrEqual(tokensBefore + 1);
    });
  });

  it('serves the audit log with filters, keyset pages and a CSV export', async () => {
    const page = await suite.backend.call(
      'get',
      '/audit?limit=2&entityRef=component:default/orders-service',
    );
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(2);
    const next = await suite.backend.call(
      'get',
      `/audit?limit=2&entityRef=component:default/orders-service&cursor=${page.body.nextCursor}`,
    );
    expect(next.body.items[0].id).not.toBe(page.body.items[0].id);
    expect(await suite.backend.status('get', '/audit?outcome=bogus')).toBe(400);
    const csv = await suite.backend.call(
      'get',
      '/audit/export?action=provision',
    );
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toMatch(/^id,startedAt,.*,verified,resolution,note$/);
    expect(lines.length - 1).toBe(
      (
        await suite
          .knex('apim_credentials_audit')
          .where({ action: 'provision' })
      ).length,
    );
    const all = await suite.backend.call(
      'get',
      '/mappings?environment=sandbox',
    );
    expect(all.body.items.length).toBeGreaterThan(0);
  });

  it('records the scaffolder as the path, with the task id, for on-behalf-of tokens', async () => {
    const client = await newClient();
    const body = credentialsOf(client);
    const viaScaffolder = await suite.backend.call(
      'put',
      '/entities/component/default/svc-6/credentials/sandbox/IS',
      body,
      {
        authorization: `Bearer ${mockCredentials.user.token(
          'user:default/guest',
          { actor: { subject: 'plugin:scaffolder' } },
        )}`,
        'x-apim-credentials-task-id': 'task-123',
      },
    );
    expect(viaScaffolder.status).toBe(201);
    expect(await auditRow(viaScaffolder.body.auditId)).toMatchObject({
      actor: 'user:default/guest',
      source: 'scaffolder',
      via: 'plugin:scaffolder',
      task_id: 'task-123',
    });
    // a plain user token cannot claim a task
    const direct = await suite.backend.call(
      'put',
      '/entities/component/default/svc-6/credentials/sandbox/IS',
      body,
      {
        authorization: mockCredentials.user.header('user:default/guest'),
        'x-apim-credentials-task-id': 'task-123',
      },
    );
    // a direct API call with a user token is `api`; the frontend's (informational) mark makes it `ui`
    expect(await auditRow(direct.body.auditId)).toMatchObject({
      source: 'api',
      task_id: null,
      via: null,
    });
    const fromUi = await suite.backend.call(
      'put',
      '/entities/component/default/svc-6/credentials/sandbox/IS',
      body,
      {
        authorization: mockCredentials.user.header('user:default/guest'),
        'x-apim-credentials-source': 'ui',
      },
    );
    expect(await auditRow(fromUi.body.auditId)).toMatchObject({
      source: 'ui',
    });
  });

  it('leaks no consumer secret into logs, responses or the database', async () => {
    const haystacks = {
      logs: suite.backend.logs.join('\n'),
      responses: suite.backend.bodies.join('\n'),
      database: await dumpDatabase(suite.knex),
    };
    expect(secrets.size).toBeGreaterThan(5);
    expect(suite.backend.logs.length).toBeGreaterThan(0);
    for (const [where, text] of Object.entries(haystacks)) {
      for (const secret of secrets) {
        if (text.includes(secret))
          throw new Error(`a consumer secret leaked into ${where}`);
      }
    }
  });
});

describe.each(databases.eachSupportedId())(
  'two backend replicas sharing %p',
  databaseId => {
    const suite = useStackBackend({ databases, databaseId });
    const mappings = async () =>
      (await suite.stack.emulator.control.state()).keyMappings;

    it('maps once when 50 provisions of one cell race on two backend replicas', async () => {
      const replica = await startBackend({
        stack: suite.stack,
        knex: suite.knex,
      });
      const backend = suite.backend;
      try {
        const client = await suite.stack.keyManager.createClient({
          name: 'race-client',
          grantTypes: ['client_credentials'],
        });
        const cell = '/entities/component/default/svc-7/credentials/sandbox/IS';
        const body = credentialsOf(client);
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            (i % 2 ? replica : backend).call('put', cell, body),
          ),
        );
        const statuses = results.map(r => r.status);
        expect(statuses.filter(s => s === 201)).toHaveLength(1);
        // Anything else, with its body to say why.
        expect(
          results
            .filter(r => ![201, 200, 409].includes(r.status))
            .map(r => ({ status: r.status, body: r.body })),
        ).toEqual([]);
        expect(
          (await mappings()).filter(m => m.consumerKey === client.clientId),
        ).toHaveLength(1);
        const rows = await suite.knex('apim_credentials_audit').where({
          consumer_key: client.clientId,
          action: 'provision',
        });
        expect(rows).toHaveLength(50);
        expect(rows.filter(r => r.outcome === 'succeeded')).toHaveLength(1);
        expect(rows.filter(r => r.outcome === 'pending')).toHaveLength(0);
        expect(rows.filter(r => r.outcome === 'unchanged').length).toBe(
          statuses.filter(s => s === 200).length,
        );
      } finally {
        await replica.stop();
      }
    });
  },
);

describe('apim-credentials backend when the policy denies', () => {
  const suite = useStackBackend({
    databases,
    permission: AuthorizeResult.DENY,
  });

  it('answers 403 on every protected route and audits the denied mutations', async () => {
    const demo = suite.stack.demoClients[0];
    const body = credentialsOf(demo);
    expect(await suite.backend.status('put', `${CELL}/sandbox/IS`, body)).toBe(
      403,
    );
    expect(
      await suite.backend.status(
        'delete',
        `${CELL}/sandbox/IS?consumerKey=${encodeURIComponent(demo.clientId)}`,
      ),
    ).toBe(403);
    expect(
      await suite.backend.status('post', '/verify', {
        entityRef: 'component:default/orders-service',
        environment: 'sandbox',
        keyManager: 'IS',
        ...body,
      }),
    ).toBe(403);
    expect(
      await suite.backend.status(
        'get',
        '/entities/component/default/orders-service/credentials',
      ),
    ).toBe(403);
    expect(await suite.backend.status('get', '/audit')).toBe(403);
    expect(await suite.backend.status('get', '/audit/export')).toBe(403);
    expect(await suite.backend.status('get', '/mappings')).toBe(403);
    const denied = await suite.knex('apim_credentials_audit').where({
      outcome: 'denied',
    });
    expect(denied.map(r => r.action).sort()).toEqual([
      'provision',
      'unprovision',
      'verify',
    ]);
    expect(
      (await suite.stack.emulator.control.state()).keyMappings,
    ).toHaveLength(0);
    expect(JSON.stringify(denied)).not.toContain(demo.clientSecret);
  });

  it('rejects requests without a token', async () => {
    const res = await suite.backend.call('get', '/environments', undefined, {
      authorization: mockCredentials.none.header(),
    });
    expect(res.status).toBe(401);
  });
});
