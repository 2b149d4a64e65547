/** The binding rules over a test's own stores, for tests that build a ProvisioningService. */
import type { ApimInstances } from '../apim/ApimInstances';
import type { ApimCredentialsStores } from '../database/stores';
import { ApimDirectory } from '../service/ApimDirectory';
import { ApplicationBindings } from '../service/ApplicationBindings';

/** Expects the plugin's migrations to have run on the stores' database already. */
export async function bindingsFor(
  stores: ApimCredentialsStores,
  instances: ApimInstances,
): Promise<ApplicationBindings> {
  return new ApplicationBindings({
    bindings: stores.bindings,
    audit: stores.audit,
    instances,
    directory: new ApimDirectory(),
  });
}
