/** Switchable faults and request statistics, driven through the control API. */
import { startStack, type Stack } from './__testUtils__/harness';
import { globToRegExp } from './faults';

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

const KM_PATH = '/api/am/devportal/v3/key-managers';

async function timed<T>(fn: () => Promise<T>) {
  const start = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - start };
}

it('globs: * is one segment, ** any number', () => {
  expect(
    globToRegExp('/api/am/devportal/v3/applications/*/map-keys').test(
      '/api/am/devportal/v3/applications/abc/map-keys',
    ),
  ).toBe(true);
  expect(
    globToRegExp('/api/am/devportal/v3/applications/*').test(
      '/api/am/devportal/v3/applications/abc/map-keys',
    ),
  ).toBe(false);
  expect(
    globToRegExp('/api/**').test(
      '/api/am/devportal/v3/applications/abc/map-keys',
    ),
  ).toBe(true);
});

it('latency delays only the matching route', async () => {
  await stack.emulator.control.setFaults([
    { type: 'latency', latencyMs: 500, path: KM_PATH },
  ]);
  const slow = await timed(() =>
    stack.api.call('GET', '/key-managers', { token }),
  );
  expect(slow.value.status).toBe(200);
  expect(slow.ms).toBeGreaterThanOrEqual(480);
  const fast = await timed(() =>
    stack.api.call('GET', '/applications', { token }),
  );
  expect(fast.ms).toBeLessThan(400);
});

it('error: 5xx with a body, `times` then clears', async () => {
  await stack.emulator.control.setFaults([
    { type: 'error', status: 503, method: 'GET', path: KM_PATH, times: 1 },
  ]);
  const failed = await stack.api.call('GET', '/key-managers', { token });
  expect(failed.status).toBe(503);
  expect(failed.body).toMatchObject({ code: 900967, message: 'General Error' });
  expect((await stack.emulator.control.state()).faults).toEqual([]);
  expect((await stack.api.call('GET', '/key-managers', { token })).status).toBe(
    200,
  );

  await stack.emulator.control.setFaults([
    {
      type: 'error',
      status: 502,
      body: {
        code: 502,
        message: 'Bad Gateway',
        description: 'upstream',
        moreInfo: '',
        error: [],
      },
    },
  ]);
  const global = await stack.api.call('GET', '/applications', { token });
  expect(global.status).toBe(502);
  expect(global.body.description).toBe('upstream');
  await stack.emulator.control.clearFaults();
  expect((await stack.api.call('GET', '/applications', { token })).status).toBe(
    200,
  );
});

it('timeout: the server never answers; the client aborts', async () => {
  await stack.emulator.control.setFaults([
    { type: 'timeout', path: '/oauth2/token' },
  ]);
  const start = Date.now();
  await expect(
    stack.raw('POST', '/oauth2/token', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
      signal: AbortSignal.timeout(700),
    }),
  ).rejects.toMatchObject({
    name: expect.stringMatching(/AbortError|TimeoutError/),
  });
  expect(Date.now() - start).toBeGreaterThanOrEqual(650);
  // Other routes still work.
  expect((await stack.api.call('GET', '/applications', { token })).status).toBe(
    200,
  );
});

it('reset: the connection is reset (ECONNRESET)', async () => {
  await stack.emulator.control.setFaults([{ type: 'reset', path: KM_PATH }]);
  await expect(
    stack.api.call('GET', '/key-managers', { token }),
  ).rejects.toMatchObject({ code: 'ECONNRESET' });
});

it('malformed: 200 with invalid JSON (and the spec-validating client catches it)', async () => {
  await stack.emulator.control.setFaults([
    { type: 'malformed', path: '/api/am/devportal/v3/applications' },
  ]);
  const res = await stack.raw('GET', '/api/am/devportal/v3/applications', {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  expect(() => JSON.parse(res.text)).toThrow();
  await expect(
    stack.api.call('GET', '/applications', { token }),
  ).rejects.toThrow(/not JSON/);
});

it('failAfterMapping: 500 900967 but the mapping row stays (recovery path of 6.5 / 9.3)', async () => {
  const appId = (
    await stack.api.call('POST', '/applications', {
      token,
      body: { name: 'app', throttlingPolicy: 'Unlimited' },
    })
  ).body.applicationId;
  const c = await stack.km.createClient({ name: `fam-${process.pid}` });
  await stack.emulator.control.setFaults([
    { type: 'failAfterMapping', times: 1 },
  ]);
  const body = {
    consumerKey: c.clientId,
    consumerSecret: c.clientSecret,
    keyManager: 'IS',
    keyType: 'PRODUCTION',
  };
  const failed = await stack.api.call(
    'POST',
    `/applications/${appId}/map-keys`,
    { token, body },
  );
  expect(failed.status).toBe(500);
  expect(failed.body).toEqual({
    code: 900967,
    message: 'General Error',
    description: 'Server Error Occurred',
    moreInfo: '',
    error: [],
  });

  const keys = await stack.api.call(
    'GET',
    `/applications/${appId}/oauth-keys`,
    { token },
  );
  expect(keys.body.list).toHaveLength(1);
  expect(keys.body.list[0]).toMatchObject({
    consumerKey: c.clientId,
    keyManager: 'IS',
    keyType: 'PRODUCTION',
  });
  const retry = await stack.api.call(
    'POST',
    `/applications/${appId}/map-keys`,
    { token, body },
  );
  expect(retry.status).toBe(409);

  const cleaned = await stack.api.call(
    'POST',
    `/applications/${appId}/oauth-keys/${keys.body.list[0].keyMappingId}/clean-up`,
    { token },
  );
  expect(cleaned.status).toBe(200);
  expect(
    (
      await stack.api.call('POST', `/applications/${appId}/map-keys`, {
        token,
        body,
      })
    ).status,
  ).toBe(200);
});

it('control API rejects invalid fault rules', async () => {
  await expect(
    stack.emulator.control.setFaults([{ type: 'explode' as any }]),
  ).rejects.toThrow(/400/);
});

it('stats count token and DCR requests and requests per route', async () => {
  await stack.emulator.control.reset();
  await stack.restToken('svc-backstage');
  await stack.restToken('other-user');
  const t = await stack.restToken('svc-backstage');
  await stack.api.call('GET', '/applications', { token: t });
  await stack.api.call(
    'GET',
    '/applications/33333333-3333-4333-8333-333333333333',
    { token: t },
  );
  const stats = await stack.emulator.control.stats();
  expect(stats.tokenRequests).toBe(3);
  expect(stats.dcrRequests).toBe(3);
  expect(stats.byRoute['POST /oauth2/token']).toBe(3);
  expect(stats.byRoute['GET /api/am/devportal/v3/applications']).toBe(1);
  expect(
    stats.byRoute['GET /api/am/devportal/v3/applications/{applicationId}'],
  ).toBe(1);
  expect(stats.byStatus['404']).toBe(1);
  expect(stats.total).toBe(8);
});
