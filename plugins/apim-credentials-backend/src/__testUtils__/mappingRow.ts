import type { MappingUpsert } from '../database/MappingStore';

/**
 * A mapping of `entityRef`'s sandbox cell at the IS key manager, as the store suites write it:
 * client `c1` (key mapping `k1`) of the application named after the entity, provisioned now by
 * the guest. `overrides` holds what a test needs otherwise.
 */
export function sandboxMapping(
  overrides: Partial<MappingUpsert> & { entityRef: string },
): MappingUpsert {
  return {
    environment: 'sandbox',
    keyManager: 'IS',
    instance: 'local',
    keyType: 'SANDBOX',
    applicationId: 'app-1',
    applicationName: overrides.entityRef.split('/').pop()!.toLowerCase(),
    consumerKey: 'c1',
    keyMappingId: 'k1',
    grantTypes: ['client_credentials'],
    provisionedBy: 'user:default/guest',
    provisionedAt: new Date(),
    ...overrides,
  };
}
