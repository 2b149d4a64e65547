/** The binding rules over a test's own knex, for tests that build a ProvisioningService. */
import { Knex } from 'knex';
import type { ApimInstances } from '../apim/ApimInstances';
import { ApimCredentialsStore } from '../database/ApimCredentialsStore';
import { ApplicationBindingStore } from '../database/ApplicationBindingStore';
import { ApimDirectory } from '../service/ApimDirectory';
import { ApplicationBindings } from '../service/ApplicationBindings';

/** Expects the plugin's migrations to have run on `knex` already. */
export async function bindingsFor(
  knex: Knex,
  store: ApimCredentialsStore,
  instances: ApimInstances,
): Promise<ApplicationBindings> {
  return new ApplicationBindings({
    bindings: await ApplicationBindingStore.create({
      database: { getClient: async () => knex, migrations: { skip: true } },
    }),
    store,
    instances,
    directory: new ApimDirectory(),
  });
}
