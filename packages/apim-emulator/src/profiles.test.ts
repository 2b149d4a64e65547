/**
 * Release profiles (CONTRACT 14.3) and the behaviours CONTRACT 14.1/14.2 added for every release.
 * Every devportal call goes through the spec-validating client (devportal-api.yaml).
 */
import { startStack, type Stack } from './__testUtils__/harness';
import { APIM_VERSIONS, type ApimVersion } from './profiles';

jest.setTimeout(120_000);

const NO_APP = '00000000-0000-4000-8000-000000000000';
let stack: Stack;
let token: string;
let otherToken: string;
let pizzaId: string;

beforeAll(async () => {
  stack = await startStack({
    kmTransportFailureDelayMs: 200,
    keyManagers: [
      {
        name: 'IS-restricted',
        permissions: { type: 'ALLOW', roles: ['admin'] },
      },
      { name: 'IS-global', global: true },
    ],
  });
  const apis = await stack.api.call('GET', '/apis', {});
  pizzaId = apis.body.list.find((a: any) => a.name === 'PizzaShackAPI').id;
});
afterAll(async () => {
  await stack?.stop();
});

async function useVersion(apimVersion: ApimVersion, config = {}) {
  await stack.emulator.control.reset();
  await stack.emulator.control.setConfig({ apimVersion, ...config });
  token = await stack.restToken('svc-backstage');
  otherToken = await stack.restToken('other-user');
}

async function createApp(name: string, t = token) {
  const res = await stack.api.call('POST', '/applications', {
    token: t,
    body: { name, throttlingPolicy: 'Unlimited' },
  });
  expect(res.status).toBe(201);
  return res.body as { applicationId: string; status: string };
}

let seq = 0;
function newClient(grantTypes = ['client_credentials']) {
  seq++;
  return stack.km.createClient({
    name: `profiles-${process.pid}-${seq}`,
    grantTypes,
  });
}

function mapKeys(
  appId: string,
  c: { clientId: string; clientSecret: string },
  keyManager: string,
  keyType = 'PRODUCTION',
) {
  return stack.api.call('POST', `/applications/${appId}/map-keys`, {
    token,
    body: {
      consumerKey: c.clientId,
      consumerSecret: c.clientSecret,
      keyManager,
      keyType,
    },
  });
}

async function gateway(c: { clientId: string; clientSecret: string }) {
  const t = await stack.km.client.requestToken({
    clientId: c.clientId,
    clientSecret: c.clientSecret,
  });
  return stack.raw('GET', '/pizzashack/1.0.0/menu', {
    headers: { authorization: `Bearer ${t.access_token}` },
  });
}

function subscribe(appId: string) {
  return stack.api.call('POST', '/subscriptions', {
    token,
    body: {
      applicationId: appId,
      apiId: pizzaId,
      throttlingPolicy: 'Unlimited',
    },
  });
}

const mappingIds = async () =>
  (await stack.emulator.control.state()).keyMappings.map(m => m.keyMappingId);

/** CONTRACT 14.3, one row per release. */
const releases: Array<{
  version: ApimVersion;
  /** DELETE oauth-keys of an unknown application (9.2, 14.1). */
  deleteUnknownApp: number;
  /** DELETE of somebody else's mapping, and whether it is gone afterwards (14.1). */
  deleteOthers: number;
  othersDeleted: boolean;
  /** Gateway right after the removal the release offers: DELETE, or clean-up on 4.2 (14.2.4). */
  gatewayAfterRemoval: number;
  /** `query=orders` finds `Orders-Service` (14.1, collation = PostgreSQL on 4.2/4.3). */
  searchFinds: boolean;
  /** KM hidden by role permissions is listed; global KM listed; map-keys into the global KM (14.1, 14.3). */
  restrictedListed: boolean;
  globalListed: boolean;
  globalMapKeys: number;
}> = [
  {
    version: '4.2',
    deleteUnknownApp: 405,
    deleteOthers: 405,
    othersDeleted: false,
    gatewayAfterRemoval: 200,
    searchFinds: false,
    restrictedListed: true,
    globalListed: false,
    globalMapKeys: 400,
  },
  {
    version: '4.3',
    deleteUnknownApp: 500,
    deleteOthers: 200,
    othersDeleted: true,
    gatewayAfterRemoval: 403,
    searchFinds: false,
    restrictedListed: false,
    globalListed: true,
    globalMapKeys: 200,
  },
  ...(['4.4', '4.5'] as const).map(version => ({
    version,
    deleteUnknownApp: 500,
    deleteOthers: 200,
    othersDeleted: true,
    gatewayAfterRemoval: 403,
    searchFinds: true,
    restrictedListed: false,
    globalListed: true,
    globalMapKeys: 200,
  })),
  {
    version: '4.6',
    deleteUnknownApp: 404,
    deleteOthers: 403,
    othersDeleted: false,
    gatewayAfterRemoval: 403,
    searchFinds: true,
    restrictedListed: false,
    globalListed: true,
    globalMapKeys: 200,
  },
];

it.each(releases)(
  'API-M $version: DELETE, gateway after removal, search case, KM listing (CONTRACT 14.3)',
  async row => {
    await useVersion(row.version);
    const app = await createApp('Orders-Service');
    const appId = app.applicationId;

    const search = await stack.api.call('GET', '/applications?query=orders', {
      token,
    });
    expect(search.body.count).toBe(row.searchFinds ? 1 : 0);
    // The exact spelling is found everywhere, and the duplicate check ignores case everywhere.
    const exact = await stack.api.call(
      'GET',
      '/applications?query=Orders-Service',
      { token },
    );
    expect(exact.body.count).toBe(1);
    const dup = await stack.api.call('POST', '/applications', {
      token,
      body: { name: 'orders-service', throttlingPolicy: 'Unlimited' },
    });
    expect(dup.status).toBe(409);

    const kms = await stack.api.call('GET', '/key-managers', { token });
    const names: string[] = kms.body.list.map((k: any) => k.name);
    expect(names.includes('IS-restricted')).toBe(row.restrictedListed);
    expect(names.includes('IS-global')).toBe(row.globalListed);
    expect(names[names.length - 1] === 'IS-global').toBe(row.globalListed);

    const c1 = await newClient();
    const c2 = await newClient();
    const c3 = await newClient();
    expect((await mapKeys(appId, c1, 'IS')).status).toBe(200);
    // Role permissions never stop map-keys, even where they hide the KM (CONTRACT 14.1).
    const restricted = await mapKeys(appId, c2, 'IS-restricted', 'SANDBOX');
    expect(restricted.status).toBe(200);
    const global = await mapKeys(appId, c3, 'IS-global');
    expect(global.status).toBe(row.globalMapKeys);
    expect(global.body.code).toBe(
      row.globalMapKeys === 400 ? 901403 : undefined,
    );

    expect((await subscribe(appId)).status).toBe(201);
    expect((await gateway(c1)).status).toBe(200);

    const c1MappingId = (await stack.emulator.control.state()).keyMappings.find(
      m => m.consumerKey === c1.clientId,
    )!.keyMappingId;
    const del = await stack.api.call(
      'DELETE',
      `/applications/${appId}/oauth-keys/${c1MappingId}`,
      { token },
    );
    expect(del.status).toBe(row.version === '4.2' ? 405 : 200);
    // clean-up is what 4.2 offers; after a DELETE it is a no-op (CONTRACT 9.1).
    const cleanUp = await stack.api.call(
      'POST',
      `/applications/${appId}/oauth-keys/${c1MappingId}/clean-up`,
      { token },
    );
    expect(cleanUp.status).toBe(200);
    expect(await mappingIds()).not.toContain(c1MappingId);
    const after = await gateway(c1);
    expect(after.status).toBe(row.gatewayAfterRemoval);
    // A gateway restart/resync forgets what clean-up removed (CONTRACT 14.2.4).
    await stack.emulator.control.resyncGateway();
    expect((await gateway(c1)).status).toBe(403);

    const unknownApp = await stack.api.call(
      'DELETE',
      `/applications/${NO_APP}/oauth-keys/${restricted.body.keyMappingId}`,
      { token },
    );
    expect(unknownApp.status).toBe(row.deleteUnknownApp);
    expect(unknownApp.body?.code).toBe(
      row.deleteUnknownApp === 405 ? undefined : row.deleteUnknownApp,
    );

    const byOther = await stack.api.call(
      'DELETE',
      `/applications/${appId}/oauth-keys/${restricted.body.keyMappingId}`,
      { token: otherToken },
    );
    expect(byOther.status).toBe(row.deleteOthers);
    expect((await mappingIds()).includes(restricted.body.keyMappingId)).toBe(
      !row.othersDeleted,
    );
  },
);

it.each(APIM_VERSIONS)(
  'API-M %s: tier check, tokenScopes [], resident token endpoint, not-loaded KM, transport failure, pending apps (CONTRACT 14.1, 14.2)',
  async version => {
    await useVersion(version);
    // 14.2.5: unknown application tier.
    const tier = await stack.api.call('POST', '/applications', {
      token,
      body: { name: 'gold-app', throttlingPolicy: 'Gold' },
    });
    expect(tier.status).toBe(400);
    expect(tier.body).toMatchObject({ code: 900305 });

    // 14.2.1: the resident KM's listed token endpoint is the server's service_url, not our URL.
    const kms = await stack.api.call('GET', '/key-managers', { token });
    const resident = kms.body.list.find(
      (k: any) => k.name === 'Resident Key Manager',
    );
    expect(resident.tokenEndpoint).toBe('https://localhost:9443/oauth2/token');
    expect(resident.tokenEndpoint).not.toContain(stack.emulator.url);

    // 14.1 row 6.4: tokenScopes is [] although a token was minted.
    const app = await createApp('app');
    const c1 = await newClient();
    const mapped = await mapKeys(app.applicationId, c1, 'IS');
    expect(mapped.status).toBe(200);
    expect(mapped.body.token.accessToken.split('.')).toHaveLength(3);
    expect(mapped.body.token.tokenScopes).toEqual([]);

    // 14.1 row 6.5: listed as enabled, not loaded: 400/901403.
    await stack.emulator.control.patchKeyManager('IS', { notLoaded: true });
    const listed = await stack.api.call('GET', '/key-managers', { token });
    expect(listed.body.list.find((k: any) => k.name === 'IS').enabled).toBe(
      true,
    );
    const notLoaded = await mapKeys(
      app.applicationId,
      await newClient(),
      'IS',
      'SANDBOX',
    );
    expect(notLoaded.status).toBe(400);
    expect(notLoaded.body.code).toBe(901403);
    await stack.emulator.control.patchKeyManager('IS', { notLoaded: false });

    // 14.1 rows 6.3/7.1: a transport failure is 500/500 after a delay, and fails the listing.
    await stack.emulator.control.patchKeyManager('IS', {
      transportFailure: 'refused',
    });
    const started = Date.now();
    const down = await mapKeys(
      app.applicationId,
      await newClient(),
      'IS',
      'SANDBOX',
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(down.status).toBe(500);
    expect(down.body).toMatchObject({
      code: 500,
      message: 'Internal server error',
    });
    const list = await stack.api.call(
      'GET',
      `/applications/${app.applicationId}/oauth-keys`,
      { token },
    );
    expect(list.status).toBe(500);
    expect(list.body.code).toBe(500);
    await stack.emulator.control.patchKeyManager('IS', {
      transportFailure: null,
    });

    // 14.2.2: pending applications are mapped but cannot subscribe.
    await stack.emulator.control.setConfig({
      applicationApprovalWorkflow: true,
    });
    const pending = await createApp('pending');
    expect(pending.status).toBe('CREATED');
    expect(
      (await mapKeys(pending.applicationId, await newClient(), 'IS')).status,
    ).toBe(200);
    const sub = await subscribe(pending.applicationId);
    expect(sub.status).toBe(400);
    expect(sub.body.description).toBe('Workflow status is not Approved');
  },
);

describe('every release (default profile 4.6)', () => {
  beforeEach(() => useVersion('4.6'));

  it('a KM that answers an HTTP error: 900967 and the row is skipped; unreachable: 500 and the listing fails (14.1)', async () => {
    // A KM whose DCR endpoint is this emulator with an error fault: it answers, with a 503.
    await stack.emulator.control.addKeyManager({
      name: 'IS-answers-503',
      baseUrl: stack.emulator.url,
    });
    await stack.emulator.control.addKeyManager({
      name: 'IS-refused',
      baseUrl: 'https://localhost:1',
    });
    const app = await createApp('app');
    await stack.emulator.control.setConfig({ provisionedAppValidation: false });
    const c = await newClient();
    expect((await mapKeys(app.applicationId, c, 'IS-answers-503')).status).toBe(
      200,
    );
    expect((await mapKeys(app.applicationId, c, 'IS')).status).toBe(200);
    await stack.emulator.control.setConfig({ provisionedAppValidation: true });
    await stack.emulator.control.setFaults([
      { type: 'error', path: '/api/identity/**', status: 503, body: {} },
    ]);
    const skipped = await stack.api.call(
      'GET',
      `/applications/${app.applicationId}/oauth-keys`,
      { token },
    );
    expect(skipped.status).toBe(200);
    expect(skipped.body.list.map((k: any) => k.keyManager)).toEqual(['IS']);
    const answered = await mapKeys(
      app.applicationId,
      await newClient(),
      'IS-answers-503',
      'SANDBOX',
    );
    expect(answered.status).toBe(500);
    expect(answered.body.code).toBe(900967);

    const refused = await mapKeys(
      app.applicationId,
      await newClient(),
      'IS-refused',
    );
    expect(refused.status).toBe(500);
    expect(refused.body.code).toBe(500);
    await stack.emulator.control.setConfig({ provisionedAppValidation: false });
    expect((await mapKeys(app.applicationId, c, 'IS-refused')).status).toBe(
      200,
    );
    await stack.emulator.control.setConfig({ provisionedAppValidation: true });
    const failed = await stack.api.call(
      'GET',
      `/applications/${app.applicationId}/oauth-keys`,
      { token },
    );
    expect(failed.status).toBe(500);
    expect(failed.body.code).toBe(500);
  });

  it('a KM is not loaded for a while after it was added or enabled, or for a set time (14.1)', async () => {
    await stack.emulator.control.setConfig({ keyManagerLoadDelayMs: 400 });
    const app = await createApp('app');
    const added = await stack.emulator.control.addKeyManager({
      name: 'IS-new',
    });
    expect(added.notLoaded).toEqual(expect.any(Number));
    const kms = await stack.api.call('GET', '/key-managers', { token });
    expect(kms.body.list.find((k: any) => k.name === 'IS-new').enabled).toBe(
      true,
    );
    const early = await mapKeys(app.applicationId, await newClient(), 'IS-new');
    expect(early.status).toBe(400);
    expect(early.body.code).toBe(901403);
    await new Promise(r => setTimeout(r, 450));
    expect(
      (await mapKeys(app.applicationId, await newClient(), 'IS-new')).status,
    ).toBe(200);

    await stack.emulator.control.patchKeyManager('IS', { enabled: false });
    await stack.emulator.control.patchKeyManager('IS', { enabled: true });
    const reenabled = await mapKeys(app.applicationId, await newClient(), 'IS');
    expect(reenabled.body.code).toBe(901403);
    await new Promise(r => setTimeout(r, 450));
    expect(
      (await mapKeys(app.applicationId, await newClient(), 'IS')).status,
    ).toBe(200);

    await stack.emulator.control.patchKeyManager('IS', { notLoaded: 300 });
    const app2 = await createApp('app2');
    expect(
      (await mapKeys(app2.applicationId, await newClient(), 'IS')).body.code,
    ).toBe(901403);
    await new Promise(r => setTimeout(r, 350));
    expect(
      (await mapKeys(app2.applicationId, await newClient(), 'IS')).status,
    ).toBe(200);
  });

  it('concurrent map-keys on one cell: one row, the losers get 500/900967 (14.2.3)', async () => {
    const app = await createApp('app');
    const clients = await Promise.all([1, 2, 3, 4].map(() => newClient()));
    const results = await Promise.all(
      clients.map(c => mapKeys(app.applicationId, c, 'IS')),
    );
    const statuses = results.map(r => r.status).sort();
    expect(statuses.filter(s => s === 200)).toHaveLength(1);
    const losers = results.filter(r => r.status !== 200);
    for (const l of losers) {
      expect([900967, 901409]).toContain(l.body.code);
    }
    expect(losers.some(l => l.body.code === 900967)).toBe(true);
    expect((await stack.emulator.control.state()).keyMappings).toHaveLength(1);
  });

  it('pending and rejected applications: mapped, refused by the gateway until approved (14.2.2)', async () => {
    const app = await createApp('app');
    const c = await newClient();
    expect((await mapKeys(app.applicationId, c, 'IS')).status).toBe(200);
    expect((await subscribe(app.applicationId)).status).toBe(201);
    expect((await gateway(c)).status).toBe(200);
    for (const status of ['CREATED', 'REJECTED'] as const) {
      await stack.emulator.control.setApplicationStatus(
        app.applicationId,
        status,
      );
      const refused = await gateway(c);
      expect(refused.status).toBe(403);
      expect(refused.body.fault.code).toBe(900908);
      const got = await stack.api.call(
        'GET',
        `/applications/${app.applicationId}`,
        { token },
      );
      expect(got.body.status).toBe(status);
    }
    const rejected = await mapKeys(
      app.applicationId,
      await newClient(),
      'IS',
      'SANDBOX',
    );
    expect(rejected.status).toBe(200);
    await stack.emulator.control.setApplicationStatus(
      app.applicationId,
      'APPROVED',
    );
    expect((await gateway(c)).status).toBe(200);
  });

  it('display token endpoint and service_url decide the listed endpoints (14.2.1)', async () => {
    await stack.emulator.control.setConfig({
      residentKeyManagerServiceUrl: 'https://apim.internal:9443/',
    });
    await stack.emulator.control.patchKeyManager('IS', {
      displayTokenEndpoint: 'https://idp.example.com/token',
    });
    const kms = await stack.api.call('GET', '/key-managers', { token });
    const byName = (n: string) => kms.body.list.find((k: any) => k.name === n);
    expect(byName('Resident Key Manager').tokenEndpoint).toBe(
      'https://apim.internal:9443/oauth2/token',
    );
    expect(byName('IS').tokenEndpoint).toBe('https://idp.example.com/token');
    expect(byName('IS-restricted')).toBeUndefined();
  });

  it('generate-token without scopes uses [] (14.1)', async () => {
    const app = await createApp('app');
    const mapped = await mapKeys(app.applicationId, await newClient(), 'IS');
    const res = await stack.api.call(
      'POST',
      `/applications/${app.applicationId}/oauth-keys/${mapped.body.keyMappingId}/generate-token`,
      {
        token,
        body: { validityPeriod: 3600, grantType: 'CLIENT_CREDENTIALS' },
      },
    );
    expect(res.status).toBe(200);
  });

  it('the control API names the field it rejects', async () => {
    await expect(
      stack.emulator.control.setConfig({ apimVersion: '4.1' as ApimVersion }),
    ).rejects.toThrow(/apimVersion must be one of 4.2, 4.3, 4.4, 4.5, 4.6/);
    await expect(
      stack.emulator.control.patchKeyManager('IS', {
        transportFailure: 'gone' as 'dns',
      }),
    ).rejects.toThrow(/transportFailure must be one of/);
    await expect(
      stack.emulator.control.setApplicationStatus(NO_APP, 'APPROVED'),
    ).rejects.toThrow(/404/);
    expect((await stack.emulator.control.state()).config.apimVersion).toBe(
      '4.6',
    );
  });
});
