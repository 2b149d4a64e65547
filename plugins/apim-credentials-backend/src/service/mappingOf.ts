import type { ApimApplication, ApimApplicationKey } from '../apim/types';
import type { EnvironmentConfig } from '../config';
import type { MappingUpsert } from '../database/MappingStore';

/** The mapping-table row for a key API-M holds in an entity's application. */
export function mappingOf(options: {
  entityRef: string;
  env: EnvironmentConfig;
  app: ApimApplication;
  key: ApimApplicationKey;
  provisionedBy: string;
  provisionedAt: Date;
}): MappingUpsert {
  const { env, app, key } = options;
  return {
    entityRef: options.entityRef,
    environment: env.id,
    keyManager: key.keyManager,
    instance: env.instance,
    keyType: env.keyType,
    applicationId: app.applicationId,
    applicationName: app.name,
    consumerKey: key.consumerKey,
    keyMappingId: key.keyMappingId,
    grantTypes: key.supportedGrantTypes,
    provisionedBy: options.provisionedBy,
    provisionedAt: options.provisionedAt,
  };
}
