import type { KeyManagerInfo } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { ApimKeyManager } from '../apim/types';
import type { EnvironmentConfig } from '../config';

/**
 * Whether an environment offers a key manager for mapping existing clients, and why not.
 * API-M does not enforce `enabled` / `enableMapOAuthConsumerApps` on map-keys (CONTRACT.md
 * TL;DR 3), so the plugin does, together with the environment's own allow-list.
 */
export function describeKeyManager(
  env: EnvironmentConfig,
  km: ApimKeyManager,
): KeyManagerInfo {
  let reason: string | undefined;
  if (!km.enabled) reason = 'it is disabled in API-M';
  else if (!km.enableMapOAuthConsumerApps)
    reason =
      'API-M does not allow mapping existing clients in it (enableMapOAuthConsumerApps is off)';
  else if (env.keyManagers && !env.keyManagers.includes(km.name))
    reason = `it is not on the allow-list of environment "${env.id}"`;
  return {
    name: km.name,
    displayName: km.displayName ?? km.name,
    type: km.type,
    tokenEndpoint: km.tokenEndpoint ?? undefined,
    mappingAllowed: !reason,
    ...(reason ? { reason } : {}),
  };
}
