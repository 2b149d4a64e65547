/** stateFile persistence (in-process restart) and the child-process runner (spawnApimEmulator). */
import { statSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  startStack,
  DevportalClient,
  type Stack,
} from './__testUtils__/harness';
import { loadDevportalSpec } from './__testUtils__/openapi';
import { spawnApimEmulator } from './spawn';
import { basicAuth, httpRequest } from './https-client';

jest.setTimeout(90_000);

let stack: Stack;
let stateFile: string;
beforeAll(async () => {
  stack = await startStack();
  stateFile = path.join(stack.tlsDir, 'state', 'apim.json');
  await stack.restartEmulator({ stateFile });
});
afterAll(async () => {
  await stack?.stop();
});

it('keeps apps, mappings, subscriptions, DCR clients and tokens across a restart', async () => {
  const token = await stack.restToken('svc-backstage');
  const appId = (
    await stack.api.call('POST', '/applications', {
      token,
      body: { name: 'persisted', throttlingPolicy: 'Unlimited' },
    })
  ).body.applicationId;
  const c = await stack.km.createClient({ name: `persist-${process.pid}` });
  const mapped = await stack.api.call(
    'POST',
    `/applications/${appId}/map-keys`,
    {
      token,
      body: {
        consumerKey: c.clientId,
        consumerSecret: c.clientSecret,
        keyManager: 'IS',
        keyType: 'SANDBOX',
      },
    },
  );
  expect(mapped.status).toBe(200);
  const apiId = (await stack.api.call('GET', '/apis', {})).body.list[0].id;
  expect(
    (
      await stack.api.call('POST', '/subscriptions', {
        token,
        body: { applicationId: appId, apiId, throttlingPolicy: 'Unlimited' },
      })
    ).status,
  ).toBe(201);

  expect(statSync(stateFile).mode & 0o777).toBe(0o600);

  await stack.restartEmulator({ stateFile });

  // The old REST token still works, and so does the DCR client.
  const apps = await stack.api.call('GET', '/applications?query=persisted', {
    token,
  });
  expect(apps.body.list.map((a: any) => a.applicationId)).toEqual([appId]);
  const keys = await stack.api.call(
    'GET',
    `/applications/${appId}/oauth-keys`,
    { token },
  );
  expect(keys.body.list[0]).toMatchObject({
    keyMappingId: mapped.body.keyMappingId,
    keyType: 'SANDBOX',
    consumerSecret: c.clientSecret,
  });
  expect(
    (
      await stack.api.call('GET', `/subscriptions?applicationId=${appId}`, {
        token,
      })
    ).body.count,
  ).toBe(1);
  await expect(stack.restToken('svc-backstage')).resolves.toEqual(
    expect.any(String),
  );
  const state = await stack.emulator.control.state();
  expect(state.dcrClients.map(d => d.clientName)).toContain(
    'rest_svc-backstage',
  );
  // The control API never shows secrets.
  expect(JSON.stringify(state)).not.toContain(c.clientSecret);

  // reset clears the file too.
  await stack.emulator.control.reset();
  expect(JSON.parse(readFileSync(stateFile, 'utf8')).applications).toEqual([]);
});

describe('spawnApimEmulator', () => {
  it('runs main.ts under tsx, reports its URL, persists state and stops on SIGTERM', async () => {
    const childState = path.join(stack.tlsDir, 'child-state.json');
    const spec = await loadDevportalSpec();
    let child = await spawnApimEmulator({
      port: 0,
      tlsDir: stack.tlsDir,
      keyManagerUrl: stack.km.baseUrl,
      keyManagerAdmin: `${stack.km.admin.username}:${stack.km.admin.password}`,
      stateFile: childState,
    });
    try {
      expect(child.url).toMatch(/^https:\/\/localhost:\d+$/);
      const api = new DevportalClient(child.url, stack.tls.ca, spec);
      const restClient = await (async () => {
        const dcr = await httpRequest({
          url: `${child.url}/client-registration/v0.17/register`,
          method: 'POST',
          headers: {
            authorization: basicAuth('svc-backstage', 'svc-backstage'),
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            clientName: 'child',
            owner: 'svc-backstage',
            grantType: 'password client_credentials',
            saasApp: true,
          }),
          ca: stack.tls.ca,
        });
        const d = JSON.parse(dcr.text);
        const tok = await httpRequest({
          url: `${child.url}/oauth2/token`,
          method: 'POST',
          headers: {
            authorization: basicAuth(d.clientId, d.clientSecret),
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: 'grant_type=client_credentials&scope=apim:subscribe',
          ca: stack.tls.ca,
        });
        return JSON.parse(tok.text).access_token as string;
      })();
      const kms = await api.call('GET', '/key-managers', { token: restClient });
      expect(
        kms.body.list.find((k: any) => k.name === 'IS').tokenEndpoint,
      ).toBe(stack.km.tokenEndpoint);
      // The child trusts the key manager through <tls-dir>/ca.pem: map-keys validates against it.
      const appId = (
        await api.call('POST', '/applications', {
          token: restClient,
          body: { name: 'child-app', throttlingPolicy: 'Unlimited' },
        })
      ).body.applicationId;
      const c = await stack.km.createClient({ name: `child-${process.pid}` });
      const mapped = await api.call('POST', `/applications/${appId}/map-keys`, {
        token: restClient,
        body: {
          consumerKey: c.clientId,
          consumerSecret: c.clientSecret,
          keyManager: 'IS',
          keyType: 'PRODUCTION',
        },
      });
      expect(mapped.status).toBe(200);
      await child.control.setFaults([{ type: 'latency', latencyMs: 1 }]);
      expect((await child.control.state()).faults).toHaveLength(1);
      const pid = child.pid;
      await child.stop();
      expect(() => process.kill(pid, 0)).toThrow();

      child = await spawnApimEmulator({
        port: 0,
        tlsDir: stack.tlsDir,
        keyManagerUrl: stack.km.baseUrl,
        stateFile: childState,
        apimVersion: '4.2',
      });
      const state = await child.control.state();
      expect(state.config.apimVersion).toBe('4.2'); // --apim-version reached the child
      expect(state.applications.map(a => a.name)).toEqual(['child-app']);
      expect(state.keyMappings).toHaveLength(1);
    } finally {
      await child.stop();
    }
  });

  it('fails with the child’s stderr when main.ts cannot start', async () => {
    await expect(
      spawnApimEmulator({
        port: 0,
        tlsDir: stack.tlsDir,
        keyManagerAdmin: 'no-colon',
      }),
    ).rejects.toThrow(/exited with code 1[\s\S]*user:password/);
    await expect(
      spawnApimEmulator({
        port: 0,
        tlsDir: stack.tlsDir,
        env: { APIM_EMULATOR_VERSION: '4.1' },
      }),
    ).rejects.toThrow(/--apim-version must be one of 4.2, 4.3, 4.4, 4.5, 4.6/);
  });
});
