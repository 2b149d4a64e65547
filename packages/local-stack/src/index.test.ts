import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { httpsRequest } from '@internal/key-manager';
import { DEMO_APIS } from './demoApis';
import {
  BACKSTAGE_SIGN_IN_CLIENT,
  DEMO_CLIENTS,
  LocalStack,
  startLocalStack,
} from './index';

jest.setTimeout(120_000);

/** Pids of live processes whose parent is this (Jest worker) process. */
function childPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] = state, fields[1] = ppid; zombies (Z) have already exited
      if (Number(fields[1]) === process.pid && fields[0] !== 'Z') {
        pids.push(Number(entry));
      }
    } catch {
      // process went away
    }
  }
  return pids;
}

describe('startLocalStack', () => {
  let dir: string;
  let stack: LocalStack | undefined;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'local-stack-test-'));
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts both servers over HTTPS, seeds clients and stops cleanly', async () => {
    const before = childPids();
    stack = await startLocalStack({
      stateDir: dir,
      emulatorPort: 0,
      keyManagerPort: 0,
      persist: true,
      seedDemoClients: true,
    });
    expect(childPids().length).toBeGreaterThanOrEqual(before.length + 2);

    // both answer over HTTPS with the CA
    const km = await httpsRequest(
      `${stack.keyManager.baseUrl}/oauth2/token/.well-known/openid-configuration`,
      { ca: stack.tls.ca },
    );
    expect(km.status).toBe(200);
    const apim = await httpsRequest(
      `${stack.emulator.url}/api/am/devportal/v3/key-managers`,
      { ca: stack.tls.ca },
    );
    expect(apim.status).toBeGreaterThanOrEqual(200);
    expect(apim.status).toBeLessThan(500);
    // ...and not without it
    await expect(httpsRequest(stack.emulator.url)).rejects.toThrow();

    // the demo APIs are published with their tiers (they reach the child through its environment)
    const apis = await httpsRequest(
      `${stack.emulator.url}/api/am/devportal/v3/apis?query=name:PaymentsAPI`,
      { ca: stack.tls.ca },
    );
    expect(JSON.parse(apis.body).list).toEqual([
      expect.objectContaining({
        id: DEMO_APIS[1].id,
        context: '/payments',
        throttlingPolicies: ['Gold', 'Bronze'],
      }),
    ]);

    // demo clients are seeded; a client_credentials one gets a token from the key manager
    expect(stack.demoClients.map(c => c.name)).toEqual(
      DEMO_CLIENTS.map(c => c.name),
    );
    const orders = stack.demoClients.find(
      c => c.name === 'orders-service-sandbox',
    )!;
    const token = await stack.keyManager.client.requestToken(orders);
    expect(token.token_type).toBe('Bearer');
    await expect(
      stack.keyManager.client.requestToken(
        stack.demoClients.find(c => c.name === 'web-portal-no-cc')!,
      ),
    ).rejects.toMatchObject({ status: 400, error: 'unauthorized_client' });

    // the credential sheet
    const sheet = JSON.parse(readFileSync(stack.stackFile, 'utf8'));
    expect(sheet.apim.url).toBe(stack.emulator.url);
    expect(sheet.keyManager.url).toBe(stack.keyManager.baseUrl);
    expect(sheet.tls.caPath).toBe(path.join(dir, 'tls', 'ca.pem'));
    expect(sheet.demoClients).toEqual(stack.demoClients);

    // Backstage's OIDC sign-in client, with the id and secret app-config.yaml names
    const signIn = await stack.keyManager.client.getClient(
      BACKSTAGE_SIGN_IN_CLIENT.clientId,
    );
    expect(signIn).toMatchObject({
      clientSecret: BACKSTAGE_SIGN_IN_CLIENT.clientSecret,
      grantTypes: ['authorization_code', 'refresh_token'],
      redirectUris: ['http://localhost:7007/api/auth/oidc/handler/frame'],
    });
    expect(
      sheet.signIn.users.map((u: { username: string }) => u.username),
    ).toEqual(['pat', 'alice']);

    await stack.stop();
    const firstIds = stack.demoClients;
    stack = undefined;
    expect(childPids().filter(p => !before.includes(p))).toEqual([]);

    // a restart (same state dir) keeps the same demo clients
    stack = await startLocalStack({
      stateDir: dir,
      emulatorPort: 0,
      keyManagerPort: 0,
      persist: true,
    });
    expect(stack.demoClients).toEqual(firstIds);
    await stack.stop();
    stack = undefined;
    expect(childPids().filter(p => !before.includes(p))).toEqual([]);
  });
});
