/**
 * The API catalogue and subscriptions (CONTRACT 11, 14.1, 14.2.2): search, visibility, tiers,
 * WSO2's error answers, workflow states, and the gateway letting in only subscribed, unblocked
 * applications. Every devportal call is validated against spec/devportal-api.yaml.
 */
import { startStack, type Stack } from '../__testUtils__/harness';
import { uuidFromName } from '../state';

jest.setTimeout(60_000);

const APIS = [
  {
    name: 'OrdersAPI',
    version: '1.0.0',
    context: '/orders',
    tiers: ['Gold', 'Bronze'],
  },
  { name: 'OrdersAPI', version: '2.0.0', context: '/orders' },
  {
    name: 'HRInternalAPI',
    version: '1.0.0',
    context: '/hr',
    visibility: 'RESTRICTED' as const,
    visibleRoles: ['Internal/hr'],
  },
  {
    name: 'DraftAPI',
    version: '1.0.0',
    context: '/draft',
    lifeCycleStatus: 'CREATED' as const,
  },
  {
    name: 'OldAPI',
    version: '1.0.0',
    context: '/old',
    lifeCycleStatus: 'DEPRECATED' as const,
  },
];

let stack: Stack;
let token: string;
// Starting the key manager child process is slow on a busy machine.
beforeAll(async () => {
  stack = await startStack({ apis: APIS });
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});
beforeEach(async () => {
  await stack.emulator.control.reset();
  token = await stack.restToken('svc-backstage');
});

const idOf = async (name: string, version: string) => {
  const found = await stack.api.call(
    'GET',
    `/apis?query=${encodeURIComponent(`name:${name} version:${version}`)}`,
    { token },
  );
  return found.body.list[0]?.id as string | undefined;
};
const newApp = async (name = 'orders-service') =>
  (
    await stack.api.call('POST', '/applications', {
      token,
      body: { name, throttlingPolicy: 'Unlimited' },
    })
  ).body.applicationId as string;
const subscribe = (applicationId: string, apiId: string, tier: string) =>
  stack.api.call('POST', '/subscriptions', {
    token,
    body: { applicationId, apiId, throttlingPolicy: tier },
  });

describe('GET /apis', () => {
  it('searches by name and version, lists tiers, hides what the caller may not see', async () => {
    const all = await stack.api.call('GET', '/apis', {});
    const names = all.body.list.map((a: any) => `${a.name}:${a.version}`);
    expect(names).toEqual(
      expect.arrayContaining(['OrdersAPI:1.0.0', 'OrdersAPI:2.0.0']),
    );
    // RESTRICTED to another role, and not published: not listed.
    expect(names).not.toContain('HRInternalAPI:1.0.0');
    expect(names).not.toContain('DraftAPI:1.0.0');

    const exact = await stack.api.call(
      'GET',
      `/apis?query=${encodeURIComponent('name:OrdersAPI version:1.0.0')}`,
      {},
    );
    expect(exact.body.count).toBe(1);
    expect(exact.body.list[0]).toMatchObject({
      name: 'OrdersAPI',
      version: '1.0.0',
      context: '/orders',
      lifeCycleStatus: 'PUBLISHED',
      throttlingPolicies: ['Gold', 'Bronze'],
    });
    // Attribute values match exactly (wildcards aside), a bare term is a name substring.
    const partialName = await stack.api.call(
      'GET',
      '/apis?query=name:Order',
      {},
    );
    expect(partialName.body.count).toBe(0);
    const wildcard = await stack.api.call('GET', '/apis?query=name:order*', {});
    expect(wildcard.body.count).toBe(2);
    const bare = await stack.api.call('GET', '/apis?query=rders', {});
    expect(bare.body.count).toBe(2);

    const admin = await stack.restToken('admin');
    const asAdmin = await stack.api.call(
      'GET',
      '/apis?query=name:HRInternalAPI',
      {
        token: admin,
      },
    );
    expect(asAdmin.body.count).toBe(1);

    const badToken = await stack.api.call('GET', '/apis', { token: 'nope' });
    expect(badToken.status).toBe(401);
  });

  it('GET /apis/{id}: the full API object, tiers by name and the gateway URL a client calls', async () => {
    const id = (await idOf('OrdersAPI', '1.0.0'))!;
    const res = await stack.api.call('GET', `/apis/${id}`, { token });
    expect(res.status).toBe(200);
    // devportal-api.yaml `API`: tiers are objects, not the listing's throttlingPolicies.
    expect(res.body.tiers.map((t: any) => t.tierName)).toEqual([
      'Gold',
      'Bronze',
    ]);
    expect(res.body.throttlingPolicies).toBeUndefined();
    expect(res.body.endpointURLs).toEqual([
      expect.objectContaining({
        environmentName: 'Default',
        URLs: expect.objectContaining({
          https: `${stack.emulator.url}/orders/1.0.0`,
        }),
      }),
    ]);
    // The URL API-M reports is where the gateway serves the API.
    const gatewayPath = new URL(res.body.endpointURLs[0].URLs.https).pathname;
    const unauthenticated = await stack.raw('GET', `${gatewayPath}/items`, {});
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.body.fault.code).toBe(900902);
  });

  it('GET /apis/{id}: 404 for an unpublished API, 403 for one restricted to other roles', async () => {
    const admin = await stack.restToken('admin');
    const hr = (
      await stack.api.call('GET', '/apis?query=name:HRInternalAPI', {
        token: admin,
      })
    ).body.list[0].id;
    expect((await stack.api.call('GET', `/apis/${hr}`, { token })).status).toBe(
      403,
    );
    const draftId = uuidFromName('api:DraftAPI:1.0.0');
    expect(
      (await stack.api.call('GET', `/apis/${draftId}`, { token })).status,
    ).toBe(404);
  });
});

describe('POST /subscriptions: WSO2 answers', () => {
  it('subscribes with an allowed tier; 400 naming the allowed tiers otherwise', async () => {
    const app = await newApp();
    const orders = (await idOf('OrdersAPI', '1.0.0'))!;
    const wrongTier = await subscribe(app, orders, 'Unlimited');
    expect(wrongTier.status).toBe(400);
    expect(wrongTier.body.description).toBe(
      'Tier Unlimited is not allowed for API OrdersAPI-1.0.0. Only Gold, Bronze Tiers are allowed.',
    );
    const ok = await subscribe(app, orders, 'Gold');
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({
      apiId: orders,
      throttlingPolicy: 'Gold',
      status: 'UNBLOCKED',
    });
    const again = await subscribe(app, orders, 'Bronze');
    expect(again.status).toBe(409);
    expect(again.body.description).toBe(
      'You have already subscribed to API OrdersAPI-1.0.0 with application orders-service',
    );
  });

  it('404 for an API that is not published or deprecated, 403 for one not visible', async () => {
    const app = await newApp();
    const byName = (n: string) => uuidFromName(`api:${n}:1.0.0`);
    expect((await subscribe(app, byName('DraftAPI'), 'Unlimited')).status).toBe(
      404,
    );
    expect((await subscribe(app, byName('OldAPI'), 'Unlimited')).status).toBe(
      404,
    );
    const hidden = await subscribe(app, byName('HRInternalAPI'), 'Unlimited');
    expect(hidden.status).toBe(403);
    expect((await stack.emulator.control.state()).subscriptions).toHaveLength(
      0,
    );
  });

  it('400 "Workflow status is not Approved" for an application pending approval (CONTRACT 14.2.2)', async () => {
    await stack.emulator.control.setConfig({
      applicationApprovalWorkflow: true,
    });
    const app = await newApp();
    const res = await subscribe(
      app,
      (await idOf('OrdersAPI', '2.0.0'))!,
      'Unlimited',
    );
    expect(res.status).toBe(400);
    expect(res.body.description).toBe('Workflow status is not Approved');
  });
});

describe('workflow states and the gateway', () => {
  async function mappedClient(
    appId: string,
    keyType: 'PRODUCTION' | 'SANDBOX',
  ) {
    const ext = await stack.km.createClient({
      name: `client-${keyType}-${Date.now()}`,
      grantTypes: ['client_credentials'],
    });
    const mapped = await stack.api.call(
      'POST',
      `/applications/${appId}/map-keys`,
      {
        token,
        body: {
          consumerKey: ext.clientId,
          consumerSecret: ext.clientSecret,
          keyManager: 'IS',
          keyType,
        },
      },
    );
    expect(mapped.status).toBe(200);
    const t = await stack.km.client.requestToken({
      clientId: ext.clientId,
      clientSecret: ext.clientSecret,
    });
    return t.access_token as string;
  }
  const call = (accessToken: string) =>
    stack.raw('GET', '/orders/2.0.0/items', {
      headers: { authorization: `Bearer ${accessToken}` },
    });

  it('ON_HOLD until approved, then BLOCKED and PROD_ONLY_BLOCKED as the gateway enforces them', async () => {
    await stack.emulator.control.setConfig({
      subscriptionApprovalWorkflow: true,
    });
    const app = await newApp();
    const prod = await mappedClient(app, 'PRODUCTION');
    const sandbox = await mappedClient(app, 'SANDBOX');
    expect((await call(prod)).status).toBe(403); // not subscribed

    const sub = await subscribe(
      app,
      (await idOf('OrdersAPI', '2.0.0'))!,
      'Unlimited',
    );
    expect(sub.status).toBe(201);
    expect(sub.body.status).toBe('ON_HOLD');
    const held = await call(prod);
    expect(held.status).toBe(403);
    expect(held.body.fault.code).toBe(900908);

    const { control } = stack.emulator;
    await control.setSubscriptionStatus(sub.body.subscriptionId, 'UNBLOCKED');
    expect((await call(prod)).status).toBe(200);
    // Another API of the same context but another version is not subscribed.
    const v1 = await stack.raw('GET', '/orders/1.0.0/items', {
      headers: { authorization: `Bearer ${prod}` },
    });
    expect(v1.status).toBe(403);

    await control.setSubscriptionStatus(
      sub.body.subscriptionId,
      'PROD_ONLY_BLOCKED',
    );
    expect((await call(prod)).status).toBe(403);
    expect((await call(sandbox)).status).toBe(200);
    const listed = await stack.api.call(
      'GET',
      `/subscriptions?applicationId=${app}`,
      { token },
    );
    expect(listed.body.list[0].status).toBe('PROD_ONLY_BLOCKED');

    await control.setSubscriptionStatus(sub.body.subscriptionId, 'BLOCKED');
    expect((await call(prod)).status).toBe(403);
    expect((await call(sandbox)).status).toBe(403);

    await control.setSubscriptionStatus(sub.body.subscriptionId, 'UNBLOCKED');
    expect(
      (
        await stack.api.call(
          'DELETE',
          `/subscriptions/${sub.body.subscriptionId}`,
          { token },
        )
      ).status,
    ).toBe(200);
    expect((await call(sandbox)).status).toBe(403);
  });

  it('an unpublished API has no gateway route', async () => {
    const res = await stack.raw('GET', '/draft/1.0.0/x', {
      headers: { authorization: 'Bearer x' },
    });
    expect(res.status).toBe(404);
  });
});
