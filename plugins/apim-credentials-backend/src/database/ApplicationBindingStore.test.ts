/**
 * The bindings table and its migration (issue 10 item 1) on every engine the tests have.
 */
import { Knex } from 'knex';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  createTestDatabases,
  missingRequiredEngines,
} from '../__testUtils__/databases';
import { ApimCredentialsDatabase } from './ApimCredentialsDatabase';
import { ApplicationBindingStore } from './ApplicationBindingStore';

jest.setTimeout(60_000);

const directory = resolvePackagePath(
  '@apim-credentials/backstage-plugin-apim-credentials-backend',
  'migrations',
);
const MINE = '20261130120000_application_bindings.js';

const databases = createTestDatabases();

/** Runs the migrations that come before the bindings migration. */
async function migrateUpToBindings(knex: Knex) {
  for (;;) {
    const [, pending] = await knex.migrate.list({ directory });
    const next = pending[0];
    const name = typeof next === 'string' ? next : next?.file ?? next?.name;
    if (!name || name === MINE) return;
    await knex.migrate.up({ directory });
  }
}

function mapping(
  entityRef: string,
  applicationId: string,
  applicationName: string,
  keyManager: string,
) {
  return {
    entity_ref: entityRef,
    environment: 'sandbox',
    key_manager: keyManager,
    instance: 'local',
    key_type: 'SANDBOX',
    application_id: applicationId,
    application_name: applicationName,
    consumer_key: `${entityRef}-${keyManager}`,
    key_mapping_id: `${applicationId}-${keyManager}`,
    grant_types: '[]',
    provisioned_by: 'user:default/someone',
    provisioned_at: new Date(),
    state: 'active',
  };
}

describe.each(databases.eachSupportedId())('bindings on %p', databaseId => {
  it('runs', () => expect(missingRequiredEngines(databases)).toEqual([]));

  it('the migration binds each application to the one entity with mappings in it, and no more', async () => {
    const knex = await databases.init(databaseId);
    await migrateUpToBindings(knex);
    await knex('apim_credentials_mappings').insert([
      mapping('component:default/orders', 'app-1', 'orders', 'IS'),
      mapping('component:default/orders', 'app-1', 'orders', 'KM2'),
      // the takeover this table stops: two entities in one application
      mapping('component:default/payments', 'app-2', 'payments', 'IS'),
      mapping('component:default/intruder', 'app-2', 'payments', 'KM2'),
    ]);
    await knex.migrate.latest({ directory });
    const store = await ApplicationBindingStore.create({
      database: await ApimCredentialsDatabase.create({
        database: { getClient: async () => knex },
        skipMigrations: true,
      }),
    });
    expect(await store.list()).toEqual([
      expect.objectContaining({
        instance: 'local',
        applicationId: 'app-1',
        applicationName: 'orders',
        entityRef: 'component:default/orders',
        origin: 'migrated',
      }),
    ]);
    expect(await store.getByName('local', 'PAYMENTS')).toBeUndefined();
  });

  it('one application, one entity: by id and by name compared as WSO2 does', async () => {
    const knex = await databases.init(databaseId);
    const store = await ApplicationBindingStore.create({
      database: await ApimCredentialsDatabase.create({
        database: { getClient: async () => knex },
      }),
    });
    const bind = (entityRef: string, applicationId: string, name: string) =>
      store.bind({
        instance: 'local',
        applicationId,
        applicationName: name,
        entityRef,
        origin: 'created',
        boundBy: 'user:default/a',
      });
    await bind('component:default/a', 'id-1', 'Orders');
    // idempotent for the same entity
    await bind('component:default/a', 'id-1', 'Orders');
    await expect(
      bind('component:default/b', 'id-2', 'orders'),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      code: 'BINDING_CONFLICT',
      message: expect.stringContaining('component:default/a'),
    });
    await expect(
      bind('component:default/b', 'id-1', 'other'),
    ).rejects.toMatchObject({ code: 'BINDING_CONFLICT' });
    // another instance is another namespace of names
    await store.bind({
      instance: 'prod',
      applicationId: 'id-9',
      applicationName: 'orders',
      entityRef: 'component:default/b',
      origin: 'bound',
      boundBy: 'user:default/p',
    });
    // the same entity's application created again under the same name moves the binding
    await bind('component:default/a', 'id-3', 'orders');
    expect(await store.getById('local', 'id-1')).toBeUndefined();
    expect(await store.getByName('local', 'ORDERS')).toMatchObject({
      applicationId: 'id-3',
      entityRef: 'component:default/a',
    });
    // By id and by name in one read: the same row, or each where it is.
    expect(await store.getByIdAndName('local', 'id-3', 'ORDERS')).toMatchObject(
      {
        byId: { applicationId: 'id-3' },
        byName: { applicationId: 'id-3' },
      },
    );
    expect(await store.getByIdAndName('local', 'id-1', 'orders')).toEqual({
      byName: expect.objectContaining({ applicationId: 'id-3' }),
    });
    expect(await store.getByIdAndName('prod', 'id-3', 'nothing')).toEqual({});
    expect(await store.unbind('local', 'id-3')).toMatchObject({
      applicationId: 'id-3',
    });
    expect(await store.list({ instance: 'local' })).toEqual([]);
  });
});
