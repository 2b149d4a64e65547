/**
 * The product on every API-M release profile (issue 11, CONTRACT.md 14.3): the same integration
 * flows (provision, unchanged, conflicts, verify, unprovision, drift, faults) and the
 * release-specific behaviours of CONTRACT.md 14.1/14.2, against the emulator switched to 4.2,
 * 4.3, 4.4, 4.5 and 4.6. One stack serves every profile (its start-up is the expensive part):
 * each profile resets it, switches `apimVersion` and starts a fresh backend on a fresh database.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { Knex } from 'knex';
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { LocalStack } from '@internal/local-stack';
import { createTestDatabases } from './__testUtils__/databases';
import {
  Backend,
  apimConfig,
  component,
  entities,
  startBackend,
  startStack,
} from './__testUtils__/harness';
import { ApimClient } from './apim/ApimClient';
import { ApimInstances } from './apim/ApimInstances';
import { readApimCredentialsConfig } from './config';
import {
  ApimCredentialsStores,
  createApimCredentialsStores,
} from './database/stores';
import { ReconcileJob } from './service/ReconcileJob';

jest.setTimeout(180_000);

const databases = createTestDatabases();
const VERSIONS = ['4.2', '4.3', '4.4', '4.5', '4.6'] as const;
const cell = (entity: string) =>
  `/entities/component/default/${entity}/credentials`;

let stack: LocalStack & { logs: string[] };
/** A key manager "behind API-M" whose DCR read answers 503 while `failing` (CONTRACT.md 14.1). */
let flaky: http.Server;
let flakyFailing = false;

beforeAll(async () => {
  stack = await startStack();
  flaky = http.createServer((_req, res) => {
    if (flakyFailing) {
      res.writeHead(503).end('unavailable');
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>(r => flaky.listen(0, '127.0.0.1', r));
});

afterAll(async () => {
  await new Promise(r => flaky?.close(r));
  await stack?.stop();
});

describe.each(VERSIONS)('API-M %s', version => {
  let knex: Knex;
  let backend: Backend;
  let job: ReconcileJob;
  let store: ApimCredentialsStores;
  let apim: ApimClient;
  let counter = 0;
  const control = () => stack.emulator.control;
  /**
   * API-M's answer on `method` `path` when its connection to a key manager fails (CONTRACT.md
   * 14.1): 500 with the generic servlet body.
   */
  const failBehindApim = (method: string, path: string) =>
    control().setFaults([
      {
        type: 'error',
        method,
        path,
        status: 500,
        body: { code: 500, message: 'Internal server error' },
      },
    ]);
  let config: Record<string, unknown>;

  async function newClient() {
    counter += 1;
    return stack.keyManager.createClient({
      name: `p${version.replace('.', '')}-${counter}-${Date.now()}`,
      grantTypes: ['client_credentials'],
    });
  }
  const put = async (
    entity: string,
    env: string,
    km: string,
    client: { clientId: string; clientSecret: string },
  ) =>
    backend.call('put', `${cell(entity)}/${env}/${encodeURIComponent(km)}`, {
      consumerKey: client.clientId,
      consumerSecret: client.clientSecret,
    });

  beforeAll(async () => {
    await control().reset();
    await control().setConfig({
      apimVersion: version,
      kmTransportFailureDelayMs: 50,
    });
    config = {
      ...apimConfig(stack),
      retries: { keyManagerNotLoaded: { seconds: 1 } },
      // A window of one period (the default frequency): every run checks every mapping, so the
      // drift cases count observations, not which slice a mapping falls in (drift/slices.ts).
      reconcile: { checkEveryMappingWithin: { minutes: 5 } },
    };
    knex = await databases.init('SQLITE_3');
    backend = await startBackend({
      stack,
      knex,
      config,
      entities: [...entities, component('case-variant', 'legacy-app')],
    });
    const settings = readApimCredentialsConfig(
      new ConfigReader({ apimCredentials: config as any }),
    );
    store = await createApimCredentialsStores({
      database: { getClient: async () => knex },
      skipMigrations: true,
    });
    apim = ApimClient.create(settings.instances[0]);
    job = new ReconcileJob({
      config: settings,
      instances: ApimInstances.of([apim]),
      stores: store,
      logger: mockServices.logger.mock(),
    });
  });

  afterAll(async () => {
    await backend?.stop();
  });

  afterEach(async () => {
    await control().clearFaults();
  });

  it('provisions, answers unchanged, refuses conflicts, verifies, and the tab shows the approved application', async () => {
    const client = await newClient();
    const first = await put('orders-service', 'sandbox', 'IS', client);
    expect([first.status, first.body.status]).toEqual([201, 'created']);
    expect(first.body.applicationStatus).toBe('APPROVED');
    expect(first.body.warning).toBeUndefined();
    const again = await put('orders-service', 'sandbox', 'IS', client);
    expect([again.status, again.body.status]).toEqual([200, 'unchanged']);

    const other = await newClient();
    const taken = await put('orders-service', 'sandbox', 'IS', other);
    expect([taken.status, taken.body.error.code]).toEqual([409, 'SLOT_TAKEN']);

    const ok = await backend.call('post', '/verify', {
      entityRef: 'component:default/orders-service',
      environment: 'sandbox',
      keyManager: 'IS',
      consumerKey: client.clientId,
      consumerSecret: client.clientSecret,
    });
    expect([ok.status, ok.body.ok]).toEqual([200, true]);
    const bad = await backend.call('post', '/verify', {
      entityRef: 'component:default/orders-service',
      environment: 'sandbox',
      keyManager: 'IS',
      consumerKey: client.clientId,
      consumerSecret: 'not-the-secret',
    });
    expect([bad.status, bad.body.ok]).toEqual([200, false]);

    const tab = await backend.call('get', cell('orders-service'));
    const sandbox = tab.body.environments.find(
      (e: any) => e.environment === 'sandbox',
    );
    expect(sandbox.application).toMatchObject({
      name: 'orders-service',
      status: 'APPROVED',
    });
  });

  it('answers 409 naming both spellings for a case-only difference, never a second application', async () => {
    // An application made in API-M directly (bound to no entity), spelled differently.
    await apim.createApplication('Legacy-App', 'Unlimited', 'made in API-M');
    const client = await newClient();
    const res = await put('case-variant', 'sandbox', 'IS', client);
    expect([res.status, res.body.error.code]).toEqual([
      409,
      'APPLICATION_NAME_CASE_CONFLICT',
    ]);
    expect(res.body.error.message).toContain('"Legacy-App"');
    expect(res.body.error.message).toContain('"legacy-app"');
    const names = (await control().state()).applications.map(a => a.name);
    expect(names).not.toContain('legacy-app');
  });

  it(`unprovisions; ${
    version === '4.2'
      ? 'with clean-up, warning that gateways still accept the client'
      : 'with DELETE, no warning'
  } (CONTRACT.md 14.2 item 4)`, async () => {
    const client = await newClient();
    expect((await put('web-portal', 'sandbox', 'IS', client)).status).toBe(201);
    const res = await backend.call(
      'delete',
      `${cell('web-portal')}/sandbox/IS?consumerKey=${client.clientId}`,
    );
    expect([res.status, res.body.status]).toEqual([200, 'removed']);
    const row = await knex('apim_credentials_audit')
      .where({ id: res.body.auditId })
      .first();
    expect(row.outcome).toBe('succeeded');
    // A success carries its warning as a resolution and note, not as an error (issue 9).
    const gatewaysNotNotified = {
      warning: expect.stringMatching(
        /keep accepting tokens of client .* revoke the client's tokens in key manager "IS"/,
      ),
      resolution: 'GATEWAYS_NOT_NOTIFIED',
      note: res.body.warning,
    };
    expect({
      warning: res.body.warning,
      resolution: row.resolution,
      note: row.note,
    }).toMatchObject(
      version === '4.2'
        ? gatewaysNotNotified
        : { warning: undefined, resolution: null },
    );
    expect(row.error_code).toBeNull();
  });

  it('flags a mapping removed outside Backstage only once confirmed, saying what was observed', async () => {
    const client = await newClient();
    const made = await put('svc-1', 'sandbox', 'IS', client);
    expect(made.status).toBe(201);
    await apim.removeMapping(made.body.applicationId, made.body.keyMappingId);
    expect((await job.run()).drifted).toBe(0);
    expect((await job.run()).drifted).toBe(1);
    const [mapping] = await store.mappings.getMappingsForEntity(
      'component:default/svc-1',
    );
    expect(mapping.state).toBe('drifted');
    expect(mapping.driftReason).toMatch(/two consecutive checks/);
  });

  it('does not flag a mapping the listing hides because its key manager answers an error (CONTRACT.md 7.1, 14.1)', async () => {
    const { port } = flaky.address() as AddressInfo;
    await control().addKeyManager({
      name: 'Flaky',
      type: 'WSO2-IS',
      baseUrl: `http://127.0.0.1:${port}`,
      enableMapOAuthConsumerApps: true,
    });
    // The application exists (nothing to prove before a create); mapped while API-M does not
    // ask the key manager, which then starts failing.
    expect(
      (await put('svc-2', 'sandbox', 'IS', await newClient())).status,
    ).toBe(201);
    await control().setConfig({ provisionedAppValidation: false });
    const client = await newClient();
    const made = await put('svc-2', 'sandbox', 'Flaky', client);
    expect(made.status).toBe(201);
    await control().setConfig({ provisionedAppValidation: true });
    flakyFailing = true;
    try {
      const keys = await apim.listOAuthKeys(made.body.applicationId);
      expect(keys.find(k => k.keyManager === 'Flaky')).toBeUndefined();
      await job.run();
      await job.run();
      const [mapping] = await store.mappings.getMappingsForEntity(
        'component:default/svc-2',
      );
      expect(mapping).toMatchObject({ state: 'active' });
    } finally {
      flakyFailing = false;
    }
  });

  it('retries 901403 for a key manager listed as enabled, then says API-M has not loaded it', async () => {
    await control().patchKeyManager('IS', { notLoaded: 600 });
    const client = await newClient();
    const res = await put('svc-3', 'sandbox', 'IS', client);
    expect(res.status).toBe(201);

    await control().patchKeyManager('IS', { notLoaded: true });
    try {
      const started = Date.now();
      const refused = await put('svc-3', 'production', 'IS', await newClient());
      expect(Date.now() - started).toBeLessThan(5_000);
      expect([refused.status, refused.body.error.code]).toEqual([
        503,
        'KEY_MANAGER_NOT_LOADED',
      ]);
      expect(refused.body.error.message).toMatch(
        /has not loaded key manager "IS"/,
      );
      expect(refused.body.error.message).not.toMatch(/pick another/i);
    } finally {
      await control().patchKeyManager('IS', { notLoaded: false });
    }
  });

  it('names the key manager behind API-M on a transport failure, distinct from a wrong secret (CONTRACT.md 14.1)', async () => {
    // On map-keys only (the listing is read to see nothing was written).
    await failBehindApim(
      'POST',
      '/api/am/devportal/v3/applications/*/map-keys',
    );
    try {
      const client = await newClient();
      const res = await put('svc-4', 'sandbox', 'IS', client);
      expect([res.status, res.body.error.code]).toEqual([
        502,
        'KEY_MANAGER_FAILED_BEHIND_APIM',
      ]);
      expect(res.body.error.message).toMatch(
        /could not reach key manager "IS" behind it.*the backend reached it and it accepts the credentials/,
      );
      const wrong = await put('svc-4', 'sandbox', 'IS', {
        clientId: client.clientId,
        clientSecret: 'wrong-secret',
      });
      expect([wrong.status, wrong.body.error.code]).toEqual([
        400,
        'VERIFICATION_FAILED',
      ]);
    } finally {
      await control().clearFaults();
    }
  });

  it('says a key manager behind API-M is the likely cause when the whole key listing fails (CONTRACT.md 14.1)', async () => {
    expect(
      (await put('svc-9', 'sandbox', 'IS', await newClient())).status,
    ).toBe(201);
    // A transport failure towards a key manager makes GET .../oauth-keys fail as a whole.
    await failBehindApim(
      'GET',
      '/api/am/devportal/v3/applications/*/oauth-keys',
    );
    try {
      const tab = await backend.call('get', cell('svc-9'));
      expect(tab.status).toBe(200);
      expect(tab.body.environments[0].error).toMatch(
        /could not list the keys of application "svc-9".*key managers is refused, fails DNS or times out/,
      );
    } finally {
      await control().clearFaults();
    }
  });

  it('provisions into a pending application with a warning, and refuses a rejected one with the reason (CONTRACT.md 14.2 item 2)', async () => {
    await control().setConfig({ applicationApprovalWorkflow: true });
    try {
      const res = await put('svc-5', 'sandbox', 'IS', await newClient());
      expect(res.status).toBe(201);
      expect(res.body.applicationStatus).toBe('CREATED');
      expect(res.body.warning).toMatch(/pending approval.*refuse its tokens/);
      const tab = await backend.call('get', cell('svc-5'));
      expect(tab.body.environments[0].application.status).toBe('CREATED');

      await control().setApplicationStatus(res.body.applicationId, 'REJECTED');
      const rejected = await put(
        'svc-5',
        'production',
        'IS',
        await newClient(),
      );
      expect([rejected.status, rejected.body.error.code]).toEqual([
        409,
        'APPLICATION_REJECTED',
      ]);
      expect(rejected.body.error.message).toMatch(/rejected/);
    } finally {
      await control().setConfig({ applicationApprovalWorkflow: false });
    }
  });

  it('answers 400 naming applications.throttlingPolicy for a tier API-M does not have (CONTRACT.md 14.2 item 5)', async () => {
    await control().setConfig({ applicationThrottlingPolicies: ['Bronze'] });
    try {
      const res = await put('svc-6', 'sandbox', 'IS', await newClient());
      expect([res.status, res.body.error.code]).toEqual([
        400,
        'THROTTLING_POLICY_UNKNOWN',
      ]);
      expect(res.body.error.message).toContain(
        'apimCredentials.applications.throttlingPolicy',
      );
    } finally {
      await control().setConfig({
        applicationThrottlingPolicies: [
          'Unlimited',
          '10PerMin',
          '20PerMin',
          '50PerMin',
        ],
      });
    }
  });

  it("derives the resident key manager's token endpoint from the instance's baseUrl, not API-M's localhost (CONTRACT.md 14.2 item 1)", async () => {
    const res = await backend.call('get', '/environments');
    const resident = res.body[0].keyManagers.find(
      (k: any) => k.name === 'Resident Key Manager',
    );
    expect(resident.tokenEndpoint).toBe(`${stack.emulator.url}/oauth2/token`);
  });

  it(`${
    version === '4.2'
      ? 'offers a key manager with role permissions (4.2 does not filter the listing)'
      : 'says the service account likely lacks the role of a key manager hidden by permissions'
  }`, async () => {
    await control().patchKeyManager('IS', {
      permissions: { type: 'ALLOW', roles: ['Internal/km-users'] },
    });
    try {
      const res = await put('svc-7', 'sandbox', 'IS', await newClient());
      const notVisible = {
        status: 400,
        code: 'KEY_MANAGER_NOT_VISIBLE',
        message: expect.stringMatching(
          /service account lacks the key manager's role/,
        ),
      };
      expect({
        status: res.status,
        code: res.body.error?.code,
        message: res.body.error?.message,
      }).toMatchObject(version === '4.2' ? { status: 201 } : notVisible);
    } finally {
      await control().patchKeyManager('IS', {
        permissions: { type: 'PUBLIC', roles: [] },
      });
    }
  });
});
