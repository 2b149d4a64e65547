/**
 * The seed workflow end to end over real HTTPS: DCR -> token -> application -> key managers ->
 * map-keys -> oauth-keys -> subscribe -> gateway call with a key-manager token -> delete mapping
 * -> gateway rejects. Every devportal call is validated against spec/devportal-api.yaml.
 */
import { httpRequest, basicAuth } from './https-client';
import { startStack, type Stack } from './__testUtils__/harness';

jest.setTimeout(60_000);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('TLS', () => {
  it('rejects a client that does not trust the local CA', async () => {
    await expect(
      httpRequest({
        url: `${stack.emulator.url}/api/am/devportal/v3/key-managers`,
      }),
    ).rejects.toMatchObject({
      code: expect.stringMatching(
        /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT/,
      ),
    });
  });

  it('serves HTTPS only with a certificate chained to the CA', async () => {
    const res = await stack.raw('GET', '/api/am/devportal/v3/apis');
    expect(res.status).toBe(200);
    expect(stack.emulator.url).toMatch(/^https:\/\/localhost:\d+$/);
  });
});

describe('provisioning an out-of-band OAuth2 client (seed workflow)', () => {
  it('runs the whole workflow', async () => {
    const { api, km } = stack;

    // 1. DCR with the service account's credentials (contract 2.1).
    const dcrBody = {
      clientName: 'backstage_apim_provisioner',
      owner: 'svc-backstage',
      grantType: 'client_credentials password refresh_token authorization_code',
      saasApp: true,
      callbackUrl: '',
      tokenType: 'JWT',
    };
    const dcr = await stack.raw('POST', '/client-registration/v0.17/register', {
      headers: {
        authorization: basicAuth('svc-backstage', 'svc-backstage'),
        'content-type': 'application/json',
      },
      body: JSON.stringify(dcrBody),
    });
    expect(dcr.status).toBe(200);
    expect(dcr.body).toMatchObject({
      clientId: expect.any(String),
      clientSecret: expect.any(String),
      clientName: 'backstage_apim_provisioner',
      appOwner: 'svc-backstage',
      isSaasApplication: true,
    });
    expect(Object.keys(dcr.body).sort()).toEqual([
      'appOwner',
      'applicationUUID',
      'callBackURL',
      'clientId',
      'clientName',
      'clientSecret',
      'isSaasApplication',
      'jsonAppAttribute',
      'jsonString',
      'tokenType',
    ]);
    expect(JSON.parse(dcr.body.jsonString).grant_types).toBe(
      'client_credentials password refresh_token',
    );
    // Idempotent by clientName.
    const again = await stack.raw(
      'POST',
      '/client-registration/v0.17/register',
      {
        headers: {
          authorization: basicAuth('svc-backstage', 'svc-backstage'),
          'content-type': 'application/json',
        },
        body: JSON.stringify(dcrBody),
      },
    );
    expect(again.status).toBe(200);
    expect(again.body.clientId).toBe(dcr.body.clientId);

    // 2. Token (password grant); apim:admin is silently dropped for a subscriber.
    const tok = await stack.raw('POST', '/oauth2/token', {
      headers: {
        authorization: basicAuth(dcr.body.clientId, dcr.body.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=password&username=svc-backstage&password=svc-backstage&scope=apim:subscribe%20apim:app_manage%20apim:sub_manage%20apim:admin',
    });
    expect(tok.status).toBe(200);
    expect(tok.body.scope.split(' ').sort()).toEqual([
      'apim:app_manage',
      'apim:sub_manage',
      'apim:subscribe',
    ]);
    expect(tok.body.expires_in).toBe(3600);
    expect(tok.body.token_type).toBe('Bearer');
    const token: string = tok.body.access_token;

    // 3. Application.
    const created = await api.call('POST', '/applications', {
      token,
      body: {
        name: 'payments-service',
        throttlingPolicy: 'Unlimited',
        description: 'Backstage managed',
      },
    });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(
      `/applications/${created.body.applicationId}`,
    );
    expect(created.body).toMatchObject({
      name: 'payments-service',
      owner: 'svc-backstage',
      tokenType: 'JWT',
      keys: [],
      status: 'APPROVED',
    });
    const appId: string = created.body.applicationId;

    // 4. Key managers.
    const kms = await api.call('GET', '/key-managers', { token });
    expect(kms.status).toBe(200);
    const is = kms.body.list.find((k: any) => k.name === 'IS');
    expect(is).toMatchObject({
      type: 'WSO2-IS',
      enabled: true,
      enableMapOAuthConsumerApps: true,
      tokenEndpoint: km.tokenEndpoint,
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(kms.body.list[kms.body.list.length - 1]).toMatchObject({
      name: 'Resident Key Manager',
      type: 'default',
      enabled: true,
    });

    // 5. The out-of-band client, created in the key manager.
    const ext = await km.createClient({
      name: 'payments-service-client',
      grantTypes: ['client_credentials'],
    });

    // 6. map-keys (6.4 response).
    const mapped = await api.call('POST', `/applications/${appId}/map-keys`, {
      token,
      body: {
        consumerKey: ext.clientId,
        consumerSecret: ext.clientSecret,
        keyManager: 'IS',
        keyType: 'PRODUCTION',
      },
    });
    expect(mapped.status).toBe(200);
    expect(mapped.body).toMatchObject({
      keyMappingId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      keyManager: 'IS',
      consumerKey: ext.clientId,
      consumerSecret: ext.clientSecret,
      supportedGrantTypes: ['client_credentials'],
      callbackUrl: null,
      keyState: null,
      keyType: 'PRODUCTION',
      mode: 'MAPPED',
      groupId: null,
    });
    // The IS KM may mint tokens and the client has client_credentials: step 10 ran.
    expect(mapped.body.token.accessToken.split('.')).toHaveLength(3);
    expect(mapped.body.token.validityTime).toBeGreaterThan(0);
    const keyMappingId: string = mapped.body.keyMappingId;

    // 7. oauth-keys: KM name, live secret, stored state.
    const keys = await api.call('GET', `/applications/${appId}/oauth-keys`, {
      token,
    });
    expect(keys.status).toBe(200);
    expect(keys.body.count).toBe(1);
    expect(keys.body.list[0]).toMatchObject({
      keyMappingId,
      keyManager: 'IS',
      consumerKey: ext.clientId,
      consumerSecret: ext.clientSecret,
      keyState: 'COMPLETED',
      mode: 'MAPPED',
      keyType: 'PRODUCTION',
    });

    // 8. Subscribe to PizzaShackAPI.
    const apis = await api.call('GET', '/apis', {});
    const pizza = apis.body.list.find((a: any) => a.name === 'PizzaShackAPI');
    expect(pizza).toMatchObject({ context: '/pizzashack', version: '1.0.0' });
    const sub = await api.call('POST', '/subscriptions', {
      token,
      body: {
        applicationId: appId,
        apiId: pizza.id,
        throttlingPolicy: 'Unlimited',
      },
    });
    expect(sub.status).toBe(201);
    expect(sub.body).toMatchObject({
      applicationId: appId,
      apiId: pizza.id,
      status: 'UNBLOCKED',
    });
    const subs = await api.call(
      'GET',
      `/subscriptions?applicationId=${appId}`,
      { token },
    );
    expect(subs.body.count).toBe(1);

    // 9. Gateway call with a token from the key manager (JWT, verified against its JWKS).
    const kmToken = await km.client.requestToken({
      clientId: ext.clientId,
      clientSecret: ext.clientSecret,
    });
    const menu = await stack.raw('GET', '/pizzashack/1.0.0/menu', {
      headers: { authorization: `Bearer ${kmToken.access_token}` },
    });
    expect(menu.status).toBe(200);
    expect(Array.isArray(menu.body)).toBe(true);
    // A tampered token is rejected.
    const tampered = `${kmToken.access_token.slice(0, -4)}AAAA`;
    const bad = await stack.raw('GET', '/pizzashack/1.0.0/menu', {
      headers: { authorization: `Bearer ${tampered}` },
    });
    expect(bad.status).toBe(401);
    expect(bad.body.fault.code).toBe(900901);

    // 10. Remove the mapping; the client in the key manager survives.
    const del = await api.call(
      'DELETE',
      `/applications/${appId}/oauth-keys/${keyMappingId}`,
      { token },
    );
    expect(del.status).toBe(200);
    expect(del.text).toBe('');
    expect(await km.client.getClient(ext.clientId)).toMatchObject({
      clientId: ext.clientId,
    });

    // 11. The gateway no longer lets the client in.
    const after = await stack.raw('GET', '/pizzashack/1.0.0/menu', {
      headers: { authorization: `Bearer ${kmToken.access_token}` },
    });
    expect(after.status).toBe(403);
    expect(after.body).toEqual({
      fault: expect.objectContaining({ code: 900908 }),
    });

    // Every devportal call above went through the spec validator.
    expect(api.validated.length).toBeGreaterThanOrEqual(8);
  });
});
