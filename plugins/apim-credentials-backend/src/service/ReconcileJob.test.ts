/**
 * The reconcile job against the local stack: a provisioning process killed between its
 * `pending` audit row and API-M's answer is resolved from what API-M holds; mappings changed
 * in API-M outside Backstage are flagged as drift.
 */
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import knexFactory, { Knex } from 'knex';
import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import { mockServices } from '@backstage/backend-test-utils';
import { LocalStack } from '@internal/local-stack';
import { ApimInstances } from '../apim/ApimInstances';
import { readApimCredentialsConfig } from '../config';
import {
  ApimCredentialsStores,
  createApimCredentialsStores,
} from '../database/stores';
import { apimConfig, startStack } from '../__testUtils__/harness';
import { ReconcileJob } from './ReconcileJob';
import { ProvisioningService } from './ProvisioningService';
import { bindingsFor } from '../__testUtils__/bindings';
import { CredentialVerifier } from '../keymanager/CredentialVerifier';

jest.setTimeout(120_000);

describe('ReconcileJob', () => {
  let stack: LocalStack & { logs: string[] };
  let knex: Knex;
  const notifier = { drifted: jest.fn(async () => undefined) };
  let store: ApimCredentialsStores;
  let dbFile: string;
  let job: ReconcileJob;
  let instances: ApimInstances;

  beforeAll(async () => {
    stack = await startStack();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'apim-reconcile-'));
    dbFile = path.join(dir, 'backstage.sqlite');
    knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: dbFile },
      useNullAsDefault: true,
    });
    store = await createApimCredentialsStores({
      database: { getClient: async () => knex },
    });
    const settings = readApimCredentialsConfig(
      new ConfigReader({
        apimCredentials: {
          ...apimConfig(stack),
          // Every run checks every mapping (the slices have their own test below).
          reconcile: {
            pendingAfter: { seconds: 0 },
            checkEveryMappingWithin: { minutes: 5 },
          },
        },
      }),
    );
    instances = ApimInstances.create(settings.instances);
    job = new ReconcileJob({
      config: settings,
      instances,
      stores: store,
      notifier,
      logger: mockServices.logger.mock(),
    });
  });

  afterAll(async () => {
    await knex?.destroy();
    await stack?.stop();
  });

  /** Starts a provisioning process and SIGKILLs it once `ready()` says so. */
  async function provisionAndKill(
    entity: string,
    client: { clientId: string; clientSecret: string },
    ready: () => Promise<boolean>,
  ) {
    // tsx as a loader in this very process (its CLI would fork a grandchild that SIGKILL misses).
    const tsx = require.resolve('tsx/cjs');
    const input = {
      entityRef: `component:default/${entity}`,
      applicationName: entity,
      environment: 'sandbox',
      keyManager: 'IS',
      consumerKey: client.clientId,
      consumerSecret: client.clientSecret,
    };
    const child = spawn(
      process.execPath,
      [
        '--require',
        tsx,
        path.resolve(__dirname, '../__testUtils__/provisionInChild.ts'),
        JSON.stringify({ dbFile, config: apimConfig(stack), input }),
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', d => (stderr += d));
    const exited = new Promise<number | null>(resolve =>
      child.on('exit', code => resolve(code)),
    );
    for (let i = 0; i < 300; i++) {
      if (await ready()) break;
      if (child.exitCode !== null)
        throw new Error(`provisioning process ended early: ${stderr}`);
      await new Promise(r => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await exited;
  }

  it('resolves a pending row whose mapping reached API-M as succeeded, and records the mapping', async () => {
    const client = await stack.keyManager.createClient({
      name: 'reconcile-a',
      grantTypes: ['client_credentials'],
    });
    // API-M writes the mapping but its answer is lost, and the follow-up read hangs: the
    // process is killed while API-M already holds the mapping.
    await stack.emulator.control.setFaults([
      {
        type: 'failAfterMapping',
        method: 'POST',
        path: '/api/am/devportal/v3/applications/*/map-keys',
      },
      {
        type: 'timeout',
        method: 'GET',
        path: '/api/am/devportal/v3/applications/*/oauth-keys',
      },
    ]);
    const inApim = async () =>
      (await stack.emulator.control.state()).keyMappings.filter(
        m => m.consumerKey === client.clientId,
      );
    await provisionAndKill(
      'svc-8',
      client,
      async () => (await inApim()).length > 0,
    );
    await stack.emulator.control.clearFaults();
    const row = await knex('apim_credentials_audit')
      .where({ consumer_key: client.clientId, action: 'provision' })
      .first();
    expect(row.outcome).toBe('pending');
    const [mapping] = await inApim();

    const report = await job.run();
    expect(report.resolved).toBe(1);
    const resolved = await store.audit.getAudit(row.id);
    expect(resolved).toMatchObject({
      outcome: 'succeeded',
      resolution: 'RESOLVED_BY_JOB',
      note: expect.stringContaining('recorded as made'),
      keyMappingId: mapping.keyMappingId,
    });
    // A success carries no error code (issue 9).
    expect(resolved?.errorCode).toBeUndefined();
    expect(
      await store.mappings.getMappingsForEntity('component:default/svc-8'),
    ).toEqual([
      expect.objectContaining({
        consumerKey: client.clientId,
        provisionedBy: 'user:default/guest',
        keyMappingId: mapping.keyMappingId,
      }),
    ]);
    expect(
      await knex('apim_credentials_audit').where({ outcome: 'pending' }),
    ).toHaveLength(0);
  });

  it('resolves a pending row whose request never reached API-M as failed', async () => {
    const client = await stack.keyManager.createClient({
      name: 'reconcile-b',
      grantTypes: ['client_credentials'],
    });
    // The application lookup hangs, so the process dies before map-keys is sent.
    await stack.emulator.control.setFaults([
      { type: 'timeout', path: '/api/am/devportal/v3/applications' },
    ]);
    const pendingRow = async () =>
      Boolean(
        await knex('apim_credentials_audit')
          .where({ consumer_key: client.clientId, action: 'provision' })
          .first(),
      );
    await provisionAndKill('svc-9', client, pendingRow);
    await stack.emulator.control.clearFaults();
    await job.run();
    const row = await knex('apim_credentials_audit')
      .where({ consumer_key: client.clientId })
      .first();
    expect(row).toMatchObject({ outcome: 'failed', error_code: 'INTERRUPTED' });
    expect(
      (await stack.emulator.control.state()).keyMappings.filter(
        m => m.consumerKey === client.clientId,
      ),
    ).toHaveLength(0);
  });

  it('records a mapping API-M wrote after the map-keys call had timed out', async () => {
    const settings = readApimCredentialsConfig(
      new ConfigReader({ apimCredentials: apimConfig(stack) }),
    );
    const logger = mockServices.logger.mock();
    const service = new ProvisioningService({
      config: settings,
      instances,
      stores: store,
      verifier: new CredentialVerifier(),
      logger,
      bindings: await bindingsFor(store, instances),
    });
    const client = await stack.keyManager.createClient({
      name: 'reconcile-late',
      grantTypes: ['client_credentials'],
    });
    // API-M answers map-keys 4.5 s late, after the plugin's 3 s timeout, and maps anyway.
    await stack.emulator.control.setFaults([
      {
        type: 'latency',
        latencyMs: 4500,
        method: 'POST',
        path: '/api/am/devportal/v3/applications/*/map-keys',
      },
    ]);
    const input = {
      entityRef: 'component:default/svc-10',
      applicationName: 'svc-10',
      environment: 'sandbox',
      keyManager: 'IS',
      consumerKey: client.clientId,
      consumerSecret: client.clientSecret,
    };
    await expect(
      service.provision(input, {
        userEntityRef: 'user:default/guest',
        source: 'ui',
      }),
    ).rejects.toThrow(/did not answer in time/);
    const failed = await knex('apim_credentials_audit')
      .where({ consumer_key: client.clientId, action: 'provision' })
      .first();
    expect(failed).toMatchObject({
      outcome: 'failed',
      error_code: 'APIM_TIMEOUT',
    });
    for (let i = 0; i < 60; i++) {
      const mapped = (await stack.emulator.control.state()).keyMappings.some(
        m => m.consumerKey === client.clientId,
      );
      if (mapped) break;
      await new Promise(r => setTimeout(r, 100));
    }
    await stack.emulator.control.clearFaults();
    expect(
      await store.mappings.getMappingsForEntity('component:default/svc-10'),
    ).toEqual([]);

    expect((await job.run()).adopted).toBe(1);
    expect(
      await store.mappings.getMappingsForEntity('component:default/svc-10'),
    ).toEqual([
      expect.objectContaining({
        consumerKey: client.clientId,
        provisionedBy: 'user:default/guest',
        state: 'active',
      }),
    ]);
    const adopted = await knex('apim_credentials_audit').where({
      consumer_key: client.clientId,
      resolution: 'ADOPTED_BY_JOB',
    });
    expect(adopted).toEqual([
      expect.objectContaining({
        outcome: 'succeeded',
        via: 'reconcile-job',
        actor: 'user:default/guest',
        error_code: null,
      }),
    ]);
    // once recorded, it is not adopted again
    expect((await job.run()).adopted).toBe(0);
  });

  it('flags a mapping removed in API-M outside Backstage on the second observation, once', async () => {
    const [mapping] = await store.mappings.getMappingsForEntity(
      'component:default/svc-8',
    );
    expect(mapping).toMatchObject({ state: 'active' });
    const apim = instances.client('local');
    await apim.removeMapping(mapping.applicationId, mapping.keyMappingId);
    // One listing is no proof (a key manager answering an error hides rows): observed twice.
    expect((await job.run()).drifted).toBe(0);
    expect(
      (await store.mappings.getMappingsForEntity('component:default/svc-8'))[0],
    ).toMatchObject({ state: 'active' });
    expect(notifier.drifted).not.toHaveBeenCalled();
    const report = await job.run();
    expect(report.drifted).toBe(1);
    expect(
      (await store.mappings.getMappingsForEntity('component:default/svc-8'))[0],
    ).toMatchObject({
      state: 'drifted',
      driftReason: expect.stringMatching(
        /removed in API-M outside Backstage: missing from API-M's key listing on two consecutive checks/,
      ),
    });
    // The owners hear of it once (issue 14 item 2), with what was observed.
    expect(notifier.drifted).toHaveBeenCalledTimes(1);
    expect(notifier.drifted).toHaveBeenCalledWith({
      entityRef: 'component:default/svc-8',
      environment: mapping.environment,
      keyManager: mapping.keyManager,
      consumerKey: mapping.consumerKey,
      reason: expect.stringMatching(/two consecutive checks/),
    });
    expect((await job.run()).drifted).toBe(0);
    expect(notifier.drifted).toHaveBeenCalledTimes(1);
  });

  function jobWith(reconcile: JsonObject) {
    const logger = mockServices.logger.mock();
    const settings = readApimCredentialsConfig(
      new ConfigReader({
        apimCredentials: { ...apimConfig(stack), reconcile },
      }),
    );
    return {
      logger,
      job: new ReconcileJob({
        config: settings,
        instances,
        stores: store,
        logger,
      }),
    };
  }

  it('checks a slice per run, continuing where the last run stopped', async () => {
    const total = await store.reconcileProgress.countMappings('sandbox');
    expect(total).toBeGreaterThanOrEqual(2);
    // Two runs per window: each run checks half, and two runs cover everything.
    const { job: sliced } = jobWith({
      checkEveryMappingWithin: { minutes: 10 },
    });
    const first = await sliced.run();
    const afterFirst = await store.reconcileProgress.getProgress('sandbox');
    const second = await sliced.run();
    expect(first.checked).toBe(Math.ceil(total / 2));
    expect(second.checked).toBe(Math.ceil(total / 2));
    expect(
      (await store.reconcileProgress.getProgress('sandbox')).afterId,
    ).not.toBe(afterFirst.afterId);
  });

  it('skips a failing instance for the rest of the run after consecutive faults, and says so', async () => {
    const { job: guarded, logger } = jobWith({
      checkEveryMappingWithin: { minutes: 5 },
      skipInstanceAfterFailures: 1,
    });
    const before = await store.reconcileProgress.getProgress('sandbox');
    await stack.emulator.control.setFaults([
      {
        type: 'error',
        status: 503,
        method: 'GET',
        path: '/api/am/devportal/v3/applications/*/oauth-keys',
      },
    ]);
    try {
      const report = await guarded.run();
      expect(report.skippedInstances).toEqual(['local']);
      expect(report.drifted).toBe(0);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringMatching(
          /API-M instance "local" is skipped for the rest of this reconcile run/,
        ),
      );
      // The interrupted slice is not passed over.
      expect(await store.reconcileProgress.getProgress('sandbox')).toEqual(
        before,
      );
    } finally {
      await stack.emulator.control.clearFaults();
    }
    expect((await guarded.run()).skippedInstances).toEqual([]);
  });

  it("re-checks last run's suspects at the next run, not when their slice comes round again", async () => {
    const service = new ProvisioningService({
      config: readApimCredentialsConfig(
        new ConfigReader({ apimCredentials: apimConfig(stack) }),
      ),
      instances,
      stores: store,
      verifier: new CredentialVerifier(),
      logger: mockServices.logger.mock(),
      bindings: await bindingsFor(store, instances),
    });
    const client = await stack.keyManager.createClient({
      name: 'reconcile-suspect',
      grantTypes: ['client_credentials'],
    });
    await service.provision(
      {
        entityRef: 'component:default/svc-11',
        applicationName: 'svc-11',
        environment: 'sandbox',
        keyManager: 'IS',
        consumerKey: client.clientId,
        consumerSecret: client.clientSecret,
      },
      { userEntityRef: 'user:default/guest', source: 'ui' },
    );
    const [mapping] = await store.mappings.getMappingsForEntity(
      'component:default/svc-11',
    );
    await instances
      .client('local')
      .removeMapping(mapping.applicationId, mapping.keyMappingId);
    const { id } = (
      await store.reconcileProgress.pageMappings('sandbox', 0, 1_000)
    ).find(p => p.mapping.keyMappingId === mapping.keyMappingId)!;
    // A one-day window checks one mapping per run; the next slice is svc-11's.
    const { job: sliced } = jobWith({ checkEveryMappingWithin: { days: 1 } });
    await store.reconcileProgress.saveProgress('sandbox', { afterId: id - 1 });
    const first = await sliced.run();
    expect([first.checked, first.drifted]).toEqual([1, 0]);
    // Its slice is a day away now; the second observation is this run's.
    const second = await sliced.run();
    expect([second.checked, second.drifted]).toEqual([2, 1]);
    expect(
      (
        await store.mappings.getMappingsForEntity('component:default/svc-11')
      )[0],
    ).toMatchObject({
      state: 'drifted',
      driftReason: expect.stringMatching(/two consecutive checks/),
    });
  });
});
