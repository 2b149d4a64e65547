/**
 * The API-M client against the emulator: DCR once, one token for many concurrent calls, a
 * refresh before expiry, one retry on 401, TLS with the configured CA only, secrets stripped.
 */
import { LocalStack } from '@internal/local-stack';
import { readApimCredentialsConfig } from '../config';
import { ConfigReader } from '@backstage/config';
import { apimConfig, startStack } from '../__testUtils__/harness';
import { ApimClient } from './ApimClient';
import { ApimError } from './ApimError';

jest.setTimeout(60_000);

describe('ApimClient', () => {
  let stack: LocalStack;
  const instance = (over: Record<string, unknown> = {}) =>
    readApimCredentialsConfig(
      new ConfigReader({
        apimCredentials: {
          ...apimConfig(stack),
          instances: [{ ...apimConfig(stack).instances[0], ...over }],
        },
      }),
    ).instances[0];

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(async () => {
    await stack.emulator.control.reset();
  });

  it('registers once and requests one token for 100 concurrent calls', async () => {
    const client = ApimClient.create(instance());
    await Promise.all(
      Array.from({ length: 100 }, () => client.listKeyManagers()),
    );
    const stats = await stack.emulator.control.stats();
    expect(stats.dcrRequests).toBe(1);
    expect(stats.tokenRequests).toBe(1);
  });

  it('refreshes the token before it expires', async () => {
    await stack.emulator.control.setConfig({ tokenLifetimeSeconds: 2 });
    try {
      const client = ApimClient.create(instance());
      await client.listKeyManagers();
      await client.listKeyManagers();
      expect((await stack.emulator.control.stats()).tokenRequests).toBe(1);
      await new Promise(r => setTimeout(r, 2100));
      await client.listKeyManagers();
      const stats = await stack.emulator.control.stats();
      expect(stats.tokenRequests).toBe(2);
      expect(stats.byStatus['401'] ?? 0).toBe(0);
    } finally {
      await stack.emulator.control.setConfig({ tokenLifetimeSeconds: 3600 });
    }
  });

  it('refuses an API-M whose certificate is not signed by the configured CA', async () => {
    const client = ApimClient.create(instance({ tls: {} }));
    const error = await client.listKeyManagers().catch(e => e);
    expect(error).toBeInstanceOf(ApimError);
    expect(error.kind).toBe('unreachable');
    expect(error.message).toMatch(/certificate/i);
  });

  it('reports a wrong service account password as such', async () => {
    const client = ApimClient.create(
      instance({ auth: { username: 'svc-backstage', password: 'nope' } }),
    );
    await expect(client.listKeyManagers()).rejects.toThrow(/service account/);
  });

  it('finds an application by its exact name although WSO2 matches substrings', async () => {
    const client = ApimClient.create(instance());
    await client.createApplication('orders-service-v2', 'Unlimited', 'x');
    await client.createApplication('orders', 'Unlimited', 'x');
    expect((await client.findApplicationByName('orders'))?.name).toBe('orders');
    expect(await client.findApplicationByName('order')).toBeUndefined();
  });

  it('never hands the echoed secret to its callers', async () => {
    const client = ApimClient.create(instance());
    const kmClient = await stack.keyManager.createClient({
      name: 'apim-client-test',
      grantTypes: ['client_credentials'],
    });
    const app = await client.createApplication('secret-echo', 'Unlimited', 'x');
    const key = await client.mapKeys(app.applicationId, {
      consumerKey: kmClient.clientId,
      consumerSecret: kmClient.clientSecret,
      keyManager: 'IS',
      keyType: 'SANDBOX',
    });
    const listed = await client.listOAuthKeys(app.applicationId);
    expect(JSON.stringify([key, listed])).not.toContain(kmClient.clientSecret);
    expect(key).toMatchObject({
      consumerKey: kmClient.clientId,
      keyType: 'SANDBOX',
    });
  });
});
