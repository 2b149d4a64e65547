/** Applications (contract 4), authentication (2.3/2.4), DCR/token edge cases, subscriptions (11). */
import { startStack, type Stack } from '../__testUtils__/harness';
import { basicAuth } from '../https-client';

jest.setTimeout(60_000);

let stack: Stack;
let token: string;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});
beforeEach(async () => {
  await stack.emulator.control.reset();
  token = await stack.restToken('svc-backstage');
});

const unauthenticated = {
  code: 401,
  message: '',
  description: 'Unauthenticated request',
  moreInfo: '',
  error: [],
};

describe('authentication', () => {
  it('401 for a missing, unknown or expired token', async () => {
    const none = await stack.api.call('GET', '/applications');
    expect(none.status).toBe(401);
    expect(none.body).toEqual(unauthenticated);
    const bad = await stack.api.call('GET', '/applications', {
      token: 'not-a-token',
    });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual(unauthenticated);

    await stack.emulator.control.setConfig({ tokenLifetimeSeconds: 1 });
    const shortLived = await stack.restToken('svc-backstage');
    await new Promise(r => setTimeout(r, 1100));
    expect(
      (await stack.api.call('GET', '/applications', { token: shortLived }))
        .status,
    ).toBe(401);
  });

  it('401 (never 403) for an under-scoped token; scope lists are "any of"', async () => {
    const settingsOnly = await stack.restToken(
      'svc-backstage',
      'apim:store_settings',
    );
    const res = await stack.api.call('GET', '/applications', {
      token: settingsOnly,
    });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(unauthenticated);
    // apim:app_manage alone is enough for applications but not for /key-managers (apim:subscribe only).
    const appManage = await stack.restToken('svc-backstage', 'apim:app_manage');
    expect(
      (await stack.api.call('GET', '/applications', { token: appManage }))
        .status,
    ).toBe(200);
    expect(
      (await stack.api.call('GET', '/key-managers', { token: appManage }))
        .status,
    ).toBe(401);
  });

  it('grants only scopes the user’s roles allow, and client_credentials acts as the DCR owner', async () => {
    const dcr = await stack.raw('POST', '/client-registration/v0.17/register', {
      headers: {
        authorization: basicAuth('other-user', 'other-user'),
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        clientName: 'cc',
        owner: 'other-user',
        grantType: 'client_credentials',
        saasApp: true,
      }),
    });
    const cc = await stack.raw('POST', '/oauth2/token', {
      headers: {
        authorization: basicAuth(dcr.body.clientId, dcr.body.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&scope=apim:subscribe apim:admin',
    });
    expect(cc.status).toBe(200);
    expect(cc.body.scope).toBe('apim:subscribe');
    expect(cc.body.refresh_token).toBeUndefined();
    const created = await stack.api.call('POST', '/applications', {
      token: cc.body.access_token,
      body: { name: 'x', throttlingPolicy: 'Unlimited' },
    });
    expect(created.body.owner).toBe('other-user');

    const pw = await stack.raw('POST', '/oauth2/token', {
      headers: {
        authorization: basicAuth(dcr.body.clientId, dcr.body.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=password&username=other-user&password=other-user',
    });
    expect(pw.status).toBe(400); // grant not registered for this client
    const badClient = await stack.raw('POST', '/oauth2/token', {
      headers: {
        authorization: basicAuth(dcr.body.clientId, 'wrong'),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(badClient.status).toBe(401);
    expect(badClient.body.error).toBe('invalid_client');
  });

  it('admin gets admin scopes; the configured token lifetime is reported', async () => {
    await stack.emulator.control.setConfig({ tokenLifetimeSeconds: 120 });
    const dcr = await stack.raw('POST', '/client-registration/v0.17/register', {
      headers: {
        authorization: basicAuth('admin', 'admin'),
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        clientName: 'adm',
        owner: 'admin',
        grantType: 'password',
        saasApp: true,
      }),
    });
    const t = await stack.raw('POST', '/oauth2/token', {
      headers: {
        authorization: basicAuth(dcr.body.clientId, dcr.body.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=password&username=admin&password=admin&scope=apim:admin apim:subscribe',
    });
    expect(t.body.scope).toBe('apim:admin apim:subscribe');
    expect(t.body.expires_in).toBe(120);
  });

  it('DCR: 401 bad credentials, 400 without owner or for another owner, 403 for another user’s client name', async () => {
    const reg = (user: string, body: object) =>
      stack.raw('POST', '/client-registration/v0.17/register', {
        headers: {
          authorization: basicAuth(user, user),
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      });
    expect(
      (
        await stack.raw('POST', '/client-registration/v0.17/register', {
          headers: {
            authorization: basicAuth('svc-backstage', 'wrong'),
            'content-type': 'application/json',
          },
          body: '{}',
        })
      ).status,
    ).toBe(401);
    expect((await reg('svc-backstage', { clientName: 'a' })).status).toBe(400);
    expect(
      (await reg('svc-backstage', { clientName: 'a', owner: 'other-user' }))
        .status,
    ).toBe(400);
    expect(
      (
        await reg('svc-backstage', {
          clientName: 'mine',
          owner: 'svc-backstage',
        })
      ).status,
    ).toBe(200);
    expect(
      (await reg('other-user', { clientName: 'mine', owner: 'other-user' }))
        .status,
    ).toBe(403);
  });
});

describe('applications', () => {
  it('creates, reads and deletes; 409 on a duplicate name; tokenType forced to JWT', async () => {
    const created = await stack.api.call('POST', '/applications', {
      token,
      body: {
        name: 'orders',
        throttlingPolicy: 'Unlimited',
        tokenType: 'OAUTH',
        attributes: { team: 'a' },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      tokenType: 'JWT',
      attributes: { team: 'a' },
      subscriptionCount: 0,
      hashEnabled: false,
    });
    expect(created.body.createdTime).toMatch(/^\d+$/);
    const id = created.body.applicationId;
    const dup = await stack.api.call('POST', '/applications', {
      token,
      body: { name: 'orders', throttlingPolicy: 'Unlimited' },
    });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({
      code: 409,
      message: 'Resource Already Exists',
      description: 'An application already exists with name orders',
    });
    const got = await stack.api.call('GET', `/applications/${id}`, { token });
    expect(got.body).toMatchObject({
      applicationId: id,
      name: 'orders',
      keys: [],
    });
    expect(
      (await stack.api.call('DELETE', `/applications/${id}`, { token })).status,
    ).toBe(200);
    expect(
      (await stack.api.call('GET', `/applications/${id}`, { token })).status,
    ).toBe(404);
  });

  it('400 for a missing throttling policy and unknown properties', async () => {
    const missing = await stack.api.call('POST', '/applications', {
      token,
      body: { name: 'x' },
      invalidRequest: true,
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toEqual([
      {
        code: '400_throttlingPolicy',
        message: 'throttlingPolicy: must not be null',
      },
    ]);
    const unknown = await stack.api.call('POST', '/applications', {
      token,
      body: { name: 'x', throttlingPolicy: 'Unlimited', colour: 'red' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.description).toBe("Unrecognized property 'colour'");
  });

  it('404 unknown, 403 someone else’s application (GET and DELETE)', async () => {
    const other = await stack.restToken('other-user');
    const theirs = (
      await stack.api.call('POST', '/applications', {
        token: other,
        body: { name: 'theirs', throttlingPolicy: 'Unlimited' },
      })
    ).body.applicationId;
    const get = await stack.api.call('GET', `/applications/${theirs}`, {
      token,
    });
    expect(get.status).toBe(403);
    expect(get.body.description).toBe(
      `You don't have permission to access the application with Id ${theirs}`,
    );
    expect(
      (await stack.api.call('DELETE', `/applications/${theirs}`, { token }))
        .status,
    ).toBe(403);
    const missing = await stack.api.call(
      'GET',
      '/applications/11111111-1111-4111-8111-111111111111',
      { token },
    );
    expect(missing.status).toBe(404);
    expect(missing.body.description).toBe(
      "Requested application with Id '11111111-1111-4111-8111-111111111111' not found",
    );
  });

  it('search is a case-insensitive substring match over the caller’s apps, paginated', async () => {
    for (const name of ['payments', 'Payments-Legacy', 'repay', 'orders']) {
      await stack.api.call('POST', '/applications', {
        token,
        body: { name, throttlingPolicy: 'Unlimited' },
      });
    }
    const other = await stack.restToken('other-user');
    await stack.api.call('POST', '/applications', {
      token: other,
      body: { name: 'payments-of-other', throttlingPolicy: 'Unlimited' },
    });

    const res = await stack.api.call('GET', '/applications?query=PAY', {
      token,
    });
    expect(res.body.list.map((a: any) => a.name)).toEqual([
      'payments',
      'Payments-Legacy',
      'repay',
    ]);
    expect(res.body.pagination).toMatchObject({
      total: 3,
      offset: 0,
      limit: 25,
      next: '',
      previous: '',
    });

    const page = await stack.api.call(
      'GET',
      '/applications?query=pay&limit=2&offset=0',
      { token },
    );
    expect(page.body.count).toBe(2);
    expect(page.body.pagination.total).toBe(3);
    expect(page.body.pagination.next).toBe(
      '/applications?sortBy=name&sortOrder=asc&limit=2&offset=2&groupId=',
    );
    const beyond = await stack.api.call(
      'GET',
      '/applications?limit=2&offset=50',
      { token },
    );
    expect(beyond.status).toBe(200);
    expect(beyond.body.count).toBe(0);
  });
});

describe('subscriptions', () => {
  it('subscribes, lists by application, rejects duplicates and deletes', async () => {
    const appId = (
      await stack.api.call('POST', '/applications', {
        token,
        body: { name: 'a', throttlingPolicy: 'Unlimited' },
      })
    ).body.applicationId;
    const apis = await stack.api.call('GET', '/apis', {});
    const apiId = apis.body.list[0].id;
    const sub = await stack.api.call('POST', '/subscriptions', {
      token,
      body: { applicationId: appId, apiId, throttlingPolicy: 'Unlimited' },
    });
    expect(sub.status).toBe(201);
    const dup = await stack.api.call('POST', '/subscriptions', {
      token,
      body: { applicationId: appId, apiId, throttlingPolicy: 'Unlimited' },
    });
    expect(dup.status).toBe(409);
    const unknownApi = await stack.api.call('POST', '/subscriptions', {
      token,
      body: {
        applicationId: appId,
        apiId: '22222222-2222-4222-8222-222222222222',
        throttlingPolicy: 'Unlimited',
      },
    });
    expect(unknownApi.status).toBe(404);
    const list = await stack.api.call(
      'GET',
      `/subscriptions?applicationId=${appId}`,
      { token },
    );
    expect(list.body.list).toHaveLength(1);
    expect(
      (await stack.api.call('GET', `/applications/${appId}`, { token })).body
        .subscriptionCount,
    ).toBe(1);
    const other = await stack.restToken('other-user');
    expect(
      (
        await stack.api.call(
          'DELETE',
          `/subscriptions/${sub.body.subscriptionId}`,
          { token: other },
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await stack.api.call(
          'DELETE',
          `/subscriptions/${sub.body.subscriptionId}`,
          { token },
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await stack.api.call(
          'DELETE',
          `/subscriptions/${sub.body.subscriptionId}`,
          { token },
        )
      ).status,
    ).toBe(404);
  });
});
