/** map-keys (contract 6), oauth-keys (7), clean-up / delete (9), generate-token (10). */
import { startStack, type Stack } from '../__testUtils__/harness';
import { basicAuth } from '../https-client';

jest.setTimeout(60_000);

let stack: Stack;
let token: string;
let otherToken: string;

beforeAll(async () => {
  stack = await startStack({
    keyManagers: [
      { name: 'IS-2', displayName: 'Second IS' },
      { name: 'IS-down', baseUrl: 'https://localhost:1' },
    ],
  });
});
afterAll(async () => {
  await stack?.stop();
});
beforeEach(async () => {
  await stack.emulator.control.reset();
  token = await stack.restToken('svc-backstage');
  otherToken = await stack.restToken('other-user');
});

async function createApp(name: string, t = token): Promise<string> {
  const res = await stack.api.call('POST', '/applications', {
    token: t,
    body: { name, throttlingPolicy: 'Unlimited' },
  });
  expect(res.status).toBe(201);
  return res.body.applicationId;
}

function mapKeys(
  appId: string,
  body: Record<string, unknown>,
  options: { t?: string; invalidRequest?: boolean } = {},
) {
  return stack.api.call('POST', `/applications/${appId}/map-keys`, {
    token: options.t ?? token,
    body,
    invalidRequest: options.invalidRequest,
  });
}

let clientSeq = 0;
/** Client names are unique in the key manager, which lives for the whole file. */
function newClient(options: {
  name: string;
  grantTypes?: string[];
  redirectUris?: string[];
}) {
  clientSeq++;
  return stack.km.createClient({
    ...options,
    name: `${options.name}-${process.pid}-${clientSeq}`,
  });
}

const generalError = {
  code: 900967,
  message: 'General Error',
  description: 'Server Error Occurred',
  moreInfo: '',
  error: [],
};

describe('POST /applications/{id}/map-keys', () => {
  it('400 Validation Error for a missing consumerKey or an invalid keyType', async () => {
    const appId = await createApp('a1');
    const noKey = await mapKeys(
      appId,
      { consumerSecret: 's', keyManager: 'IS', keyType: 'PRODUCTION' },
      { invalidRequest: true },
    );
    expect(noKey.status).toBe(400);
    expect(noKey.body).toEqual({
      code: 400,
      message: 'Bad Request',
      description: 'Validation Error',
      moreInfo: '',
      error: [
        { code: '400_consumerKey', message: 'consumerKey: must not be null' },
      ],
    });
    const badType = await mapKeys(
      appId,
      {
        consumerKey: 'k',
        consumerSecret: 's',
        keyManager: 'IS',
        keyType: 'production',
      },
      { invalidRequest: true },
    );
    expect(badType.status).toBe(400);
    expect(badType.body.error).toEqual([
      { code: '400_keyType', message: 'keyType: must not be null' },
    ]);
  });

  it('400 for unknown properties, malformed JSON and an empty body', async () => {
    const appId = await createApp('a1');
    const unknown = await mapKeys(appId, {
      consumerKey: 'k',
      consumerSecret: 's',
      keyType: 'PRODUCTION',
      keyManagerName: 'IS',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({
      code: 400,
      message: 'Bad Request',
      description: "Unrecognized property 'keyManagerName'",
    });
    const malformed = await stack.api.call(
      'POST',
      `/applications/${appId}/map-keys`,
      { token, rawBody: '{"consumerKey": ', invalidRequest: true },
    );
    expect(malformed.status).toBe(400);
    expect(malformed.body.description).toBe('Malformed request body.');
    const empty = await stack.api.call(
      'POST',
      `/applications/${appId}/map-keys`,
      { token, invalidRequest: true },
    );
    expect(empty.status).toBe(400);
    expect(empty.body.description).toBe('Request payload cannot be empty.');
  });

  it('404 for an unknown application, 403 for somebody else’s', async () => {
    const missing = '5d0b2c64-0000-4000-8000-000000000000';
    const notFound = await mapKeys(missing, {
      consumerKey: 'k',
      consumerSecret: 's',
      keyManager: 'IS',
      keyType: 'PRODUCTION',
    });
    expect(notFound.status).toBe(404);
    expect(notFound.body).toEqual({
      code: 404,
      message: 'Not Found',
      description: `Requested application with Id '${missing}' not found`,
      moreInfo: '',
      error: [],
    });
    const othersApp = await createApp('theirs', otherToken);
    const forbidden = await mapKeys(othersApp, {
      consumerKey: 'k',
      consumerSecret: 's',
      keyManager: 'IS',
      keyType: 'PRODUCTION',
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual({
      code: 403,
      message: 'Forbidden',
      description: `You don't have permission to access the application with Id ${othersApp}`,
      moreInfo: '',
      error: [],
    });
  });

  it('400 901403 for an unknown key manager and for a disabled one', async () => {
    const appId = await createApp('a1');
    const ext = await newClient({ name: 'c1' });
    const body = {
      consumerKey: ext.clientId,
      consumerSecret: ext.clientSecret,
      keyType: 'PRODUCTION',
    };
    const unknown = await mapKeys(appId, { ...body, keyManager: 'Keycloak' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({
      code: 901403,
      message: 'Key Manager not Registered',
    });

    await stack.emulator.control.patchKeyManager('IS', { enabled: false });
    const kms = await stack.api.call('GET', '/key-managers', { token });
    expect(kms.body.list.find((k: any) => k.name === 'IS').enabled).toBe(false); // still listed
    const disabled = await mapKeys(appId, { ...body, keyManager: 'IS' });
    expect(disabled.status).toBe(400);
    expect(disabled.body.code).toBe(901403);
    expect((await stack.emulator.control.state()).keyMappings).toHaveLength(0);
  });

  it('400 901405 for a key manager with token type EXCHANGED', async () => {
    const appId = await createApp('a1');
    await stack.emulator.control.patchKeyManager('IS', {
      tokenType: 'EXCHANGED',
    });
    const res = await mapKeys(appId, {
      consumerKey: 'k',
      consumerSecret: 's',
      keyManager: 'IS',
      keyType: 'PRODUCTION',
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(901405);
  });

  it('is not blocked by enableMapOAuthConsumerApps=false (the server never checks it)', async () => {
    const appId = await createApp('a1');
    await stack.emulator.control.patchKeyManager('IS', {
      enableMapOAuthConsumerApps: false,
    });
    const kms = await stack.api.call('GET', '/key-managers', { token });
    expect(
      kms.body.list.find((k: any) => k.name === 'IS')
        .enableMapOAuthConsumerApps,
    ).toBe(false);
    const ext = await newClient({ name: 'c1' });
    const res = await mapKeys(appId, {
      consumerKey: ext.clientId,
      consumerSecret: ext.clientSecret,
      keyManager: 'IS',
      keyType: 'PRODUCTION',
    });
    expect(res.status).toBe(200);
  });

  it('409 901409 when the key type is taken or the client is already mapped in that KM', async () => {
    const appA = await createApp('a1');
    const appB = await createApp('a2');
    const c1 = await newClient({ name: 'c1' });
    const c2 = await newClient({ name: 'c2' });
    const m = (
      app: string,
      c: { clientId: string; clientSecret: string },
      keyType: string,
      keyManager = 'IS',
    ) =>
      mapKeys(app, {
        consumerKey: c.clientId,
        consumerSecret: c.clientSecret,
        keyManager,
        keyType,
      });
    const conflict = {
      code: 901409,
      message: 'Key Mappings already exists',
      description: 'Key Mappings already exists',
      moreInfo: '',
      error: [],
    };

    expect((await m(appA, c1, 'PRODUCTION')).status).toBe(200);
    // Variant 1: this app already has a PRODUCTION key in IS (other client).
    const sameType = await m(appA, c2, 'PRODUCTION');
    expect(sameType.status).toBe(409);
    expect(sameType.body).toEqual(conflict);
    // Variant 2: the client is already mapped in IS: same app other key type, or another app.
    const otherType = await m(appA, c1, 'SANDBOX');
    expect(otherType.status).toBe(409);
    expect(otherType.body).toEqual(conflict);
    const otherApp = await m(appB, c1, 'PRODUCTION');
    expect(otherApp.status).toBe(409);
    expect(otherApp.body).toEqual(conflict);
    // The same client may be mapped under a different key manager.
    expect((await m(appB, c1, 'PRODUCTION', 'IS-2')).status).toBe(200);
    // The duplicate check runs before the KM is contacted: a bogus secret still gets 409.
    const dupBogus = await mapKeys(appA, {
      consumerKey: c1.clientId,
      consumerSecret: 'wrong',
      keyManager: 'IS',
      keyType: 'SANDBOX',
    });
    expect(dupBogus.status).toBe(409);
  });

  it('500 900967 for a wrong secret and an unknown client; 500 500 for an unreachable key manager (14.1)', async () => {
    const appId = await createApp('a1');
    const c1 = await newClient({ name: 'c1' });
    const wrong = await mapKeys(appId, {
      consumerKey: c1.clientId,
      consumerSecret: 'not-the-secret',
      keyManager: 'IS',
      keyType: 'PRODUCTION',
    });
    expect(wrong.status).toBe(500);
    expect(wrong.body).toEqual(generalError);
    const unknown = await mapKeys(appId, {
      consumerKey: 'no-such-client',
      consumerSecret: 'x',
      keyManager: 'IS',
      keyType: 'PRODUCTION',
    });
    expect(unknown.status).toBe(500);
    expect(unknown.body).toEqual(generalError);
    const down = await mapKeys(appId, {
      consumerKey: c1.clientId,
      consumerSecret: c1.clientSecret,
      keyManager: 'IS-down',
      keyType: 'PRODUCTION',
    });
    // A transport failure escapes as an unchecked exception, not 900967 (CONTRACT 14.1).
    expect(down.status).toBe(500);
    expect(down.body).toMatchObject({
      code: 500,
      message: 'Internal server error',
    });
    expect((await stack.emulator.control.state()).keyMappings).toHaveLength(0);
  });

  it('500 900967 when the key manager admin credentials are wrong', async () => {
    await stack.restartEmulator({
      keyManager: {
        baseUrl: stack.km.baseUrl,
        ca: stack.tls.ca,
        admin: { username: 'admin', password: 'nope' },
      },
    });
    try {
      token = await stack.restToken('svc-backstage');
      const appId = await createApp('a1');
      const c1 = await newClient({ name: 'c1' });
      const res = await mapKeys(appId, {
        consumerKey: c1.clientId,
        consumerSecret: c1.clientSecret,
        keyManager: 'IS',
        keyType: 'PRODUCTION',
      });
      expect(res.status).toBe(500);
      expect(res.body).toEqual(generalError);
    } finally {
      await stack.restartEmulator();
    }
  });

  it('accepts anything without provisioned-app validation', async () => {
    await stack.emulator.control.setConfig({ provisionedAppValidation: false });
    const appId = await createApp('a1');
    const res = await mapKeys(appId, {
      consumerKey: 'bogus',
      consumerSecret: 'bogus',
      keyManager: 'IS',
      keyType: 'SANDBOX',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      consumerKey: 'bogus',
      consumerSecret: 'bogus',
      supportedGrantTypes: [],
      callbackUrl: null,
      additionalProperties: null,
      token: { accessToken: '', tokenScopes: [], validityTime: 0 },
    });
    // Listing MAPPED rows without validation does not contact the KM.
    const list = await stack.api.call(
      'GET',
      `/applications/${appId}/oauth-keys`,
      { token },
    );
    expect(list.body.list[0]).toMatchObject({
      consumerKey: 'bogus',
      consumerSecret: null,
      supportedGrantTypes: null,
    });
  });

  it('does not mint a token for a client without client_credentials; echoes the callback URL', async () => {
    const appId = await createApp('a1');
    const c = await newClient({
      name: 'web',
      grantTypes: ['authorization_code'],
      redirectUris: ['https://localhost:3000/cb'],
    });
    const res = await mapKeys(appId, {
      consumerKey: c.clientId,
      consumerSecret: c.clientSecret,
      keyManager: 'IS',
      keyType: 'PRODUCTION',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      supportedGrantTypes: ['authorization_code'],
      callbackUrl: 'https://localhost:3000/cb',
      token: { accessToken: '', tokenScopes: [], validityTime: 0 },
      additionalProperties: expect.objectContaining({
        application_access_token_expiry_time: 3600,
      }),
    });
  });

  it('maps a resident-KM (DCR) client, defaulting keyManager, and echoes a KM UUID', async () => {
    const appId = await createApp('a1');
    const dcr = await stack.raw('POST', '/client-registration/v0.17/register', {
      headers: {
        authorization: basicAuth('svc-backstage', 'svc-backstage'),
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        clientName: 'resident-client',
        owner: 'svc-backstage',
        grantType: 'client_credentials',
        saasApp: true,
      }),
    });
    const wrong = await mapKeys(appId, {
      consumerKey: dcr.body.clientId,
      consumerSecret: 'x',
      keyType: 'PRODUCTION',
    });
    expect(wrong.status).toBe(500);
    const kms = await stack.api.call('GET', '/key-managers', { token });
    const resident = kms.body.list.find(
      (k: any) => k.name === 'Resident Key Manager',
    );
    const ok = await mapKeys(appId, {
      consumerKey: dcr.body.clientId,
      consumerSecret: dcr.body.clientSecret,
      keyManager: resident.id,
      keyType: 'PRODUCTION',
    });
    expect(ok.status).toBe(200);
    expect(ok.body.keyManager).toBe(resident.id);
    expect(ok.body.token.accessToken).toMatch(/^[0-9a-f-]{36}$/);
    const dflt = await createApp('a2');
    const other = await stack.raw(
      'POST',
      '/client-registration/v0.17/register',
      {
        headers: {
          authorization: basicAuth('svc-backstage', 'svc-backstage'),
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          clientName: 'resident-client-2',
          owner: 'svc-backstage',
          grantType: 'password',
          saasApp: true,
        }),
      },
    );
    const byDefault = await mapKeys(dflt, {
      consumerKey: other.body.clientId,
      consumerSecret: other.body.clientSecret,
      keyType: 'SANDBOX',
    });
    expect(byDefault.status).toBe(200);
    expect(byDefault.body.keyManager).toBe('Resident Key Manager');
  });
});

describe('reading, removing and using key mappings', () => {
  async function mappedApp() {
    const appId = await createApp('app');
    const c = await newClient({ name: `c-${Date.now()}` });
    const res = await mapKeys(appId, {
      consumerKey: c.clientId,
      consumerSecret: c.clientSecret,
      keyManager: 'IS',
      keyType: 'PRODUCTION',
    });
    expect(res.status).toBe(200);
    return { appId, client: c, keyMappingId: res.body.keyMappingId as string };
  }

  it('GET oauth-keys: 404/403, and rows of disabled key managers are skipped', async () => {
    const { appId } = await mappedApp();
    expect(
      (
        await stack.api.call('GET', `/applications/${appId}/oauth-keys`, {
          token: otherToken,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await stack.api.call(
          'GET',
          '/applications/00000000-0000-4000-8000-000000000000/oauth-keys',
          { token },
        )
      ).status,
    ).toBe(404);
    await stack.emulator.control.patchKeyManager('IS', { enabled: false });
    const list = await stack.api.call(
      'GET',
      `/applications/${appId}/oauth-keys`,
      { token },
    );
    expect(list.body).toEqual({ count: 0, list: [] });
  });

  it('GET oauth-keys lists a row with consumerSecret null when the KM client is gone', async () => {
    const { appId, client } = await mappedApp();
    await stack.km.deleteClient(client.clientId);
    const list = await stack.api.call(
      'GET',
      `/applications/${appId}/oauth-keys`,
      { token },
    );
    expect(list.body.count).toBe(1);
    expect(list.body.list[0]).toMatchObject({
      consumerKey: client.clientId,
      consumerSecret: null,
    });
  });

  it('GET oauth-keys/{id}: KM UUID, no owner check, empty 200 for an unknown app, 500 for an unknown mapping', async () => {
    const { appId, client, keyMappingId } = await mappedApp();
    const kms = await stack.api.call('GET', '/key-managers', { token });
    const isId = kms.body.list.find((k: any) => k.name === 'IS').id;
    const one = await stack.api.call(
      'GET',
      `/applications/${appId}/oauth-keys/${keyMappingId}`,
      { token: otherToken },
    );
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      keyMappingId,
      keyManager: isId,
      consumerKey: client.clientId,
      consumerSecret: client.clientSecret,
    });
    const noApp = await stack.api.call(
      'GET',
      `/applications/00000000-0000-4000-8000-000000000000/oauth-keys/${keyMappingId}`,
      { token },
    );
    expect(noApp.status).toBe(200);
    expect(noApp.text).toBe('');
    const noMapping = await stack.api.call(
      'GET',
      `/applications/${appId}/oauth-keys/00000000-0000-4000-8000-000000000000`,
      { token },
    );
    expect(noMapping.status).toBe(500);
    expect(noMapping.body.code).toBe(500);
  });

  it('clean-up: no owner check, unknown mapping is a no-op, unknown app is 500, KM client survives', async () => {
    const { appId, client, keyMappingId } = await mappedApp();
    const noop = await stack.api.call(
      'POST',
      `/applications/${appId}/oauth-keys/00000000-0000-4000-8000-000000000000/clean-up`,
      { token },
    );
    expect(noop.status).toBe(200);
    expect((await stack.emulator.control.state()).keyMappings).toHaveLength(1);
    const noApp = await stack.api.call(
      'POST',
      `/applications/00000000-0000-4000-8000-000000000000/oauth-keys/${keyMappingId}/clean-up`,
      { token },
    );
    expect(noApp.status).toBe(500);
    // Somebody else may clean up this app's mapping (quirk 9.1).
    const byOther = await stack.api.call(
      'POST',
      `/applications/${appId}/oauth-keys/${keyMappingId}/clean-up`,
      { token: otherToken },
    );
    expect(byOther.status).toBe(200);
    expect(byOther.text).toBe('');
    expect((await stack.emulator.control.state()).keyMappings).toHaveLength(0);
    expect(await stack.km.client.getClient(client.clientId)).toMatchObject({
      clientId: client.clientId,
    });
  });

  it('DELETE oauth-keys/{id}: 404 / 403 / 500, never deletes the KM client; 405 on API-M 4.2', async () => {
    const { appId, client, keyMappingId } = await mappedApp();
    expect(
      (
        await stack.api.call(
          'DELETE',
          `/applications/00000000-0000-4000-8000-000000000000/oauth-keys/${keyMappingId}`,
          { token },
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await stack.api.call(
          'DELETE',
          `/applications/${appId}/oauth-keys/${keyMappingId}`,
          { token: otherToken },
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await stack.api.call(
          'DELETE',
          `/applications/${appId}/oauth-keys/00000000-0000-4000-8000-000000000000`,
          { token },
        )
      ).status,
    ).toBe(500);

    await stack.emulator.control.setConfig({ hasDeleteEndpoint: false });
    const old = await stack.api.call(
      'DELETE',
      `/applications/${appId}/oauth-keys/${keyMappingId}`,
      { token },
    );
    expect(old.status).toBe(405);
    expect((await stack.emulator.control.state()).keyMappings).toHaveLength(1);

    await stack.emulator.control.setConfig({ hasDeleteEndpoint: true });
    const del = await stack.api.call(
      'DELETE',
      `/applications/${appId}/oauth-keys/${keyMappingId}`,
      { token },
    );
    expect(del.status).toBe(200);
    expect((await stack.emulator.control.state()).keyMappings).toHaveLength(0);
    expect(await stack.km.client.getClient(client.clientId)).toMatchObject({
      clientId: client.clientId,
    });
  });

  it('generate-token: real client_credentials call at the KM; 404 / 403; 400 when the KM fails', async () => {
    const { appId, keyMappingId } = await mappedApp();
    const body = {
      validityPeriod: 3600,
      scopes: ['default'],
      grantType: 'CLIENT_CREDENTIALS',
    };
    const res = await stack.api.call(
      'POST',
      `/applications/${appId}/oauth-keys/${keyMappingId}/generate-token`,
      { token, body },
    );
    expect(res.status).toBe(200);
    expect(res.body.accessToken.split('.')).toHaveLength(3);
    expect(res.body.validityTime).toBeGreaterThan(0);
    expect(
      (
        await stack.api.call(
          'POST',
          `/applications/${appId}/oauth-keys/${keyMappingId}/generate-token`,
          { token: otherToken, body },
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await stack.api.call(
          'POST',
          `/applications/00000000-0000-4000-8000-000000000000/oauth-keys/${keyMappingId}/generate-token`,
          { token, body },
        )
      ).status,
    ).toBe(404);
    const badSecret = await stack.api.call(
      'POST',
      `/applications/${appId}/oauth-keys/${keyMappingId}/generate-token`,
      {
        token,
        body: { ...body, consumerSecret: 'wrong' },
      },
    );
    expect(badSecret.status).toBe(400);
    expect(badSecret.body).toMatchObject({
      code: 900967,
      message: 'Bad Request',
    });
  });
});
