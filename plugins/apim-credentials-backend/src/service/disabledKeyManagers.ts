/**
 * Key managers disabled in API-M after a client was mapped through them. API-M keeps such a
 * mapping (and its gateway registration) but hides it from `GET .../oauth-keys` (CONTRACT.md 7.1),
 * and map-keys answers 400/901403 for the key manager (CONTRACT.md 6.2 step 4, 6.5). So a hidden
 * mapping is neither drift nor gone: it is still removable by the keyMappingId Backstage recorded
 * (DELETE, or clean-up on 4.2: CONTRACT.md 9.1, 9.2). And a key manager re-enabled since the cache
 * was filled must not be reported as disabled (CONTRACT.md 14.1: API-M itself needs about 5 s).
 */
import { InputError } from '@backstage/errors';
import { UpstreamError } from '../errors';
import type { ApimClient } from '../apim/ApimClient';
import type { ApimApplicationKey, ApimKeyManager } from '../apim/types';
import type { EnvironmentConfig } from '../config';
import type { MappingStore } from '../database/MappingStore';
import type { ApimDirectory } from './ApimDirectory';

/** Whether API-M lists this key manager as registered but disabled (CONTRACT.md 5.1). */
export function isDisabled(kms: ApimKeyManager[], name: string): boolean {
  const km = kms.find(k => k.name === name);
  return km !== undefined && !km.enabled;
}

/**
 * The mapping Backstage recorded for a cell whose key manager is now disabled in API-M, as the
 * key to remove; `undefined` when nothing is recorded or the key manager is enabled (then a
 * mapping missing from the listing really is gone). The key-manager listing is reloaded first:
 * a cached "enabled" would turn a hidden mapping into "nothing to remove".
 */
export async function hiddenMapping(
  deps: { directory: ApimDirectory; mappings: MappingStore },
  client: ApimClient,
  env: EnvironmentConfig,
  cell: { entityRef: string; keyManager: string },
): Promise<ApimApplicationKey | undefined> {
  const record = (
    await deps.mappings.getMappingsForEntity(cell.entityRef)
  ).find(m => m.environment === env.id && m.keyManager === cell.keyManager);
  if (!record) return undefined;
  const kms = await deps.directory.refreshKeyManagers(client);
  if (!isDisabled(kms, cell.keyManager)) return undefined;
  return {
    keyMappingId: record.keyMappingId,
    keyManager: record.keyManager,
    consumerKey: record.consumerKey,
    supportedGrantTypes: record.grantTypes,
    keyType: record.keyType,
    mode: 'MAPPED',
  };
}

/**
 * The error for map-keys answering 400/901403 for a key manager the (possibly cached) listing
 * offered. The listing is reloaded once: disabled or gone -> 400 saying so; listed as enabled ->
 * an UpstreamError 503 `KEY_MANAGER_NOT_LOADED` (mapKeysFailures.ts retries on it), since API-M answers 901403 for a few seconds after a key manager is added, enabled or
 * updated, and for good when its connector failed to load (CONTRACT.md 14.1).
 */
export async function keyManagerRefused(
  directory: ApimDirectory,
  client: ApimClient,
  env: EnvironmentConfig,
  name: string,
): Promise<Error> {
  const kms = await directory.refreshKeyManagers(client);
  const km = kms.find(k => k.name === name);
  if (!km || !km.enabled) {
    return Object.assign(
      new InputError(
        `Key manager "${name}" is ${
          km ? 'disabled' : 'no longer registered'
        } in API-M instance "${
          env.instance
        }" (WSO2 code 901403); ask an API-M admin to enable it, or pick another key manager environment "${
          env.id
        }" offers.`,
      ),
      { code: 'KEY_MANAGER_NOT_REGISTERED' as const },
    );
  }
  return new UpstreamError(
    `API-M instance "${env.instance}" has not loaded key manager "${name}": it lists it as enabled but refused it (WSO2 code 901403), which happens for a few seconds after a key manager is added, enabled or updated. Retry shortly; if this persists, its connector failed to load: check API-M's server log.`,
    503,
    'KEY_MANAGER_NOT_LOADED',
  );
}
