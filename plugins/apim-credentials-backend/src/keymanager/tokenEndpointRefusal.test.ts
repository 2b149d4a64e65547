/**
 * At runtime, against the local stack (issue 10 item 4): API-M reports a key manager's token
 * endpoint, and whoever administers API-M chooses it. When it points outside the environment's
 * allow-list (`environments[].tokenEndpoints`), or, without a list, at a loopback or link-local
 * host the operator did not configure, verification and verified provisioning are refused with
 * `TOKEN_ENDPOINT_NOT_ALLOWED` before the secret is sent: the listener at that endpoint never
 * sees a connection, and nothing is mapped. (tokenEndpointPolicy.test.ts covers the rules.)
 */
import net from 'node:net';
import { Knex } from 'knex';
import { LocalStack } from '@internal/local-stack';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  Backend,
  apimConfig,
  startBackend,
  startStack,
} from '../__testUtils__/harness';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const CELL = '/entities/component/default/svc-5/credentials/sandbox/IS';

describe('a token endpoint the operator did not allow, reported by API-M', () => {
  let stack: LocalStack & { logs: string[] };
  let listener: net.Server;
  let connections = 0;
  let port: number;
  const backends: Backend[] = [];

  beforeAll(async () => {
    stack = await startStack();
    // Where a hostile key manager registration points: counts every connection attempt.
    listener = net.createServer(socket => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>(resolve =>
      listener.listen(0, '127.0.0.1', resolve),
    );
    port = (listener.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    await Promise.all(backends.map(b => b.stop()));
    await stack?.stop();
    await new Promise(resolve => listener?.close(resolve));
  });

  async function backendWith(config: Record<string, unknown>) {
    const knex: Knex = await databases.init('SQLITE_3');
    const backend = await startBackend({ stack, knex, config });
    backends.push(backend);
    return backend;
  }

  async function expectRefusedBeforeSending(
    backend: Backend,
    endpoint: string,
    why: RegExp,
  ) {
    await stack.emulator.control.patchKeyManager('IS', {
      displayTokenEndpoint: endpoint,
    });
    const client = await stack.keyManager.createClient({
      name: `refused-${Math.random().toString(36).slice(2)}`,
      grantTypes: ['client_credentials'],
    });
    const verify = await backend.call('post', '/verify', {
      entityRef: 'component:default/svc-5',
      environment: 'sandbox',
      keyManager: 'IS',
      consumerKey: client.clientId,
      consumerSecret: client.clientSecret,
    });
    expect(verify.status).toBe(400);
    expect(verify.body.error.code).toBe('TOKEN_ENDPOINT_NOT_ALLOWED');
    expect(verify.body.error.message).toMatch(why);
    const put = await backend.call('put', CELL, {
      consumerKey: client.clientId,
      consumerSecret: client.clientSecret,
      verify: true,
    });
    expect(put.status).toBe(400);
    expect(put.body.error.code).toBe('TOKEN_ENDPOINT_NOT_ALLOWED');
    expect(
      (await stack.emulator.control.state()).keyMappings.some(
        m => m.consumerKey === client.clientId,
      ),
    ).toBe(false);
    expect(connections).toBe(0);
    for (const text of [verify.text, put.text, ...backend.logs]) {
      expect(text).not.toContain(client.clientSecret);
    }
  }

  afterEach(async () => {
    await stack.emulator.control.patchKeyManager('IS', {
      displayTokenEndpoint: null,
    });
  });

  it('outside the allow-list: refused before any connection', async () => {
    const backend = await backendWith(apimConfig(stack));
    await expectRefusedBeforeSending(
      backend,
      `https://127.0.0.1:${port}/oauth2/token`,
      /not on the allow-list .*tokenEndpoints/,
    );
  });

  it('without an allow-list, a loopback endpoint the operator did not configure: refused before any connection', async () => {
    const config = apimConfig(stack) as any;
    for (const env of config.environments) delete env.tokenEndpoints;
    // The instance is on loopback (a local stack); its own origin stays allowed, another port is not.
    const backend = await backendWith(config);
    await expectRefusedBeforeSending(
      backend,
      `https://localhost:${port}/oauth2/token`,
      /backend's own host or network link/,
    );
  });
});
