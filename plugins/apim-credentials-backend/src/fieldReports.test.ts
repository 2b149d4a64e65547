/**
 * Issue 12 items 1-3 against the local stack (emulator + key manager, real backend): application
 * names that differ only in case from an existing one, names API-M refuses, and a key manager
 * disabled in API-M after mapping.
 */
import { Knex } from 'knex';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { LocalStack } from '@internal/local-stack';
import { createTestDatabases } from './__testUtils__/databases';
import {
  Backend,
  apimConfig,
  component,
  credentialsOf,
  entities as standardEntities,
  startBackend,
  startStack,
} from './__testUtils__/harness';
import { ApimInstances } from './apim/ApimInstances';
import { readApimCredentialsConfig } from './config';
import { createApimCredentialsStores } from './database/stores';
import { ReconcileJob } from './service/ReconcileJob';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const LONG_NAME = 'n'.repeat(101);
const entities = [
  ...standardEntities,
  component('case-lower', 'case-app'),
  component('case-upper', 'Case-App'),
  component('lead-space', ' lead-space'),
  component('trail-space', 'trail-space '),
  component('too-long', LONG_NAME),
  component('inner-spaces', 'Case Inner Spaces EU'),
  component('km-off', 'km-off'),
  component('km-cache', 'km-cache'),
];
const cell = (entity: string, env = 'sandbox', km = 'IS') =>
  `/entities/component/default/${entity}/credentials/${env}/${km}`;
const CREATE = 'POST /api/am/devportal/v3/applications';

describe('issue 12: application names and disabled key managers', () => {
  let stack: LocalStack & { logs: string[] };
  let knex: Knex;
  let backend: Backend;
  let counter = 0;

  async function newClient() {
    counter += 1;
    return stack.keyManager.createClient({
      name: `field-report-${counter}`,
      grantTypes: ['client_credentials'],
    });
  }
  const auditRows = (entity: string) =>
    knex('apim_credentials_audit').where({
      entity_ref: `component:default/${entity}`,
    });
  const requests = async (route?: string) => {
    const stats = await stack.emulator.control.stats();
    return route ? stats.byRoute[route] ?? 0 : stats.total;
  };

  beforeAll(async () => {
    stack = await startStack();
    knex = await databases.init('SQLITE_3');
    backend = await startBackend({ stack, knex, entities });
  });

  afterAll(async () => {
    await backend?.stop();
    await stack?.stop();
  });

  describe('item 1: a name that differs only in case from an existing application', () => {
    beforeAll(async () => {
      // "case-app" is created outside this backend (another Backstage, or by hand in API-M), so
      // no binding here claims it: only the name stands in the way.
      const elsewhere = await startBackend({
        stack,
        knex: await databases.init('SQLITE_3'),
        entities,
      });
      try {
        const client = await newClient();
        const res = await elsewhere.call(
          'put',
          cell('case-lower'),
          credentialsOf(client),
        );
        if (res.status !== 201 || res.body.applicationName !== 'case-app') {
          throw new Error(
            `Expected 201 creating "case-app", got ${
              res.status
            }: ${JSON.stringify(res.body)}`,
          );
        }
      } finally {
        await elsewhere.stop();
      }
    });

    it.each([
      ['', 'create allowed'],
      ['?createApplication=false', 'create turned off'],
      ['?dryRun=true', 'dry run'],
    ])(
      'answers 409 naming both spellings (%s: %s), without a create attempt',
      async query => {
        const client = await newClient();
        const creates = await requests(CREATE);
        const res = await backend.call(
          'put',
          `${cell('case-upper')}${query}`,
          credentialsOf(client),
        );
        expect([res.status, res.body.error?.message]).toEqual([
          409,
          expect.any(String),
        ]);
        expect(res.body.error.message).toContain('"case-app"');
        expect(res.body.error.message).toContain('"Case-App"');
        expect(res.body.error.message).toContain(
          'Change the annotation to "case-app"',
        );
        expect(res.body.error.code).toBe('APPLICATION_NAME_CASE_CONFLICT');
        expect(await requests(CREATE)).toBe(creates);
        const rows = await auditRows('case-upper');
        expect(
          rows.filter(r => r.action === 'create-application'),
        ).toHaveLength(0);
        const state = await stack.emulator.control.state();
        expect(state.applications.map(a => a.name)).not.toContain('Case-App');
      },
    );

    it('finds the other spelling where API-M search is case-sensitive (4.2/4.3, CONTRACT 14.1)', async () => {
      // 4.3 searches with `NAME like ?`, case-sensitive on the emulator's collation: a plain
      // query for "Case-App" does not return "case-app".
      await stack.emulator.control.setConfig({ apimVersion: '4.3' } as any);
      try {
        const client = await newClient();
        const creates = await requests(CREATE);
        for (const query of ['', '?createApplication=false']) {
          const res = await backend.call(
            'put',
            `${cell('case-upper')}${query}`,
            credentialsOf(client),
          );
          expect(res.status).toBe(409);
          expect(res.body.error.message).toContain('"case-app"');
        }
        expect(await requests(CREATE)).toBe(creates);
      } finally {
        await stack.emulator.control.setConfig({ apimVersion: '4.6' } as any);
      }
    });
  });

  describe('item 2: names API-M refuses', () => {
    it.each([
      ['lead-space', 'must not start or end with a space'],
      ['trail-space', 'must not start or end with a space'],
      ['too-long', 'at most 100 characters, this one has 101'],
    ])(
      '%s: 400 naming the annotation and the rule, before any API-M call, without an audit row',
      async (entity, rule) => {
        const client = await newClient();
        const before = await requests();
        const put = await backend.call(
          'put',
          cell(entity),
          credentialsOf(client),
        );
        expect(put.status).toBe(400);
        expect(put.body.error.message).toContain('wso2.com/apim-application');
        expect(put.body.error.message).toContain(rule);
        expect(put.body.error.code).toBe('APPLICATION_NAME_INVALID');
        const del = await backend.call(
          'delete',
          `${cell(entity)}?consumerKey=${client.clientId}`,
        );
        expect(del.status).toBe(400);
        const dry = await backend.call(
          'put',
          `${cell(entity)}?dryRun=true`,
          credentialsOf(client),
        );
        expect(dry.status).toBe(400);
        const read = await backend.call(
          'get',
          `/entities/component/default/${entity}/credentials`,
        );
        expect(read.status).toBe(400);
        expect(read.body.error.message).toBe(put.body.error.message);
        expect(await requests()).toBe(before);
        expect(await auditRows(entity)).toHaveLength(0);
      },
    );

    it('keeps inner spaces valid', async () => {
      const client = await newClient();
      const res = await backend.call(
        'put',
        cell('inner-spaces'),
        credentialsOf(client),
      );
      expect(res.status).toBe(201);
      expect(res.body.applicationName).toBe('Case Inner Spaces EU');
    });
  });

  describe('item 3: a key manager disabled in API-M after mapping', () => {
    afterEach(async () => {
      await stack.emulator.control.patchKeyManager('IS', { enabled: true });
    });

    it('stays mapped on the tab, is no drift, and DELETE removes it from API-M', async () => {
      const client = await newClient();
      const put = await backend.call(
        'put',
        cell('km-off'),
        credentialsOf(client),
      );
      expect(put.status).toBe(201);
      const { keyMappingId } = put.body;
      await stack.emulator.control.patchKeyManager('IS', { enabled: false });

      const tab = await backend.call(
        'get',
        '/entities/component/default/km-off/credentials',
      );
      expect(tab.status).toBe(200);
      const sandbox = tab.body.environments.find(
        (e: any) => e.environment === 'sandbox',
      );
      expect(sandbox.mappings.find((m: any) => m.keyManager === 'IS')).toEqual(
        expect.objectContaining({
          state: 'mapped',
          keyManagerDisabled: true,
          consumerKey: client.clientId,
          keyMappingId,
          provisionedBy: expect.any(String),
        }),
      );

      const stores = await createApimCredentialsStores({
        database: { getClient: async () => knex },
        skipMigrations: true,
      });
      const settings = readApimCredentialsConfig(
        new ConfigReader({ apimCredentials: apimConfig(stack) }),
      );
      const job = new ReconcileJob({
        config: settings,
        instances: ApimInstances.create(settings.instances),
        stores,
        logger: mockServices.logger.mock(),
      });
      const report = await job.run();
      expect(report.drifted).toBe(0);
      const [row] = await knex('apim_credentials_mappings').where({
        entity_ref: 'component:default/km-off',
      });
      expect(row.state).toBe('active');

      const del = await backend.call(
        'delete',
        `${cell('km-off')}?consumerKey=${client.clientId}`,
      );
      expect([del.status, del.body.error?.message]).toEqual([200, undefined]);
      expect(del.body).toMatchObject({ status: 'removed', keyMappingId });
      const state = await stack.emulator.control.state();
      expect(
        state.keyMappings.some((m: any) => m.keyMappingId === keyMappingId),
      ).toBe(false);

      // Re-enabled, API-M shows nothing: the mapping really went.
      await stack.emulator.control.patchKeyManager('IS', { enabled: true });
      const after = await backend.call(
        'get',
        '/entities/component/default/km-off/credentials',
      );
      expect(
        after.body.environments
          .find((e: any) => e.environment === 'sandbox')
          .mappings.find((m: any) => m.keyManager === 'IS').state,
      ).toBe('unmapped');
    });

    it('with the key-manager cache on: a hidden mapping is removed, and a re-enabled key manager works at once', async () => {
      const cached = await startBackend({
        stack,
        knex,
        entities,
        config: apimConfig(stack, { cache: { keyManagers: { seconds: 30 } } }),
      });
      try {
        const first = await newClient();
        const put = await cached.call(
          'put',
          cell('km-cache'),
          credentialsOf(first),
        );
        expect(put.status).toBe(201);
        await stack.emulator.control.patchKeyManager('IS', { enabled: false });
        // The cached listing still says "enabled"; the mapping is hidden, not gone.
        const del = await cached.call(
          'delete',
          `${cell('km-cache')}?consumerKey=${first.clientId}`,
        );
        expect(del.status).toBe(200);
        expect(del.body).toMatchObject({
          status: 'removed',
          keyMappingId: put.body.keyMappingId,
        });
        expect(
          (await stack.emulator.control.state()).keyMappings.some(
            (m: any) => m.keyMappingId === put.body.keyMappingId,
          ),
        ).toBe(false);

        const second = await newClient();
        const refused = await cached.call(
          'put',
          cell('km-cache'),
          credentialsOf(second),
        );
        expect(refused.status).toBe(400);
        expect(refused.body.error.message).toContain('disabled');

        await stack.emulator.control.patchKeyManager('IS', { enabled: true });
        // Past the directory's one-second floor between forced reloads.
        await new Promise(r => setTimeout(r, 1100));
        const again = await cached.call(
          'put',
          cell('km-cache'),
          credentialsOf(second),
        );
        expect(again.status).toBe(201);
      } finally {
        await cached.stop();
      }
    });
  });
});
