/**
 * An application's OAuth keys (devportal v3 `/applications/{id}/oauth-keys` and `map-keys`,
 * CONTRACT.md 7, 9). Every answer goes through toApplicationKey, which drops the secrets API-M
 * echoes back before anything else sees them.
 */
import { ApimError } from './ApimError';
import { DevportalCall, getList, recordWith } from './devportalCall';
import type { ApimApplicationKey } from './types';

export async function listOAuthKeys(
  call: DevportalCall,
  applicationId: string,
): Promise<ApimApplicationKey[]> {
  const list = await getList(
    call,
    `/applications/${encodeURIComponent(applicationId)}/oauth-keys`,
    'GET /applications/{id}/oauth-keys',
  );
  return list.map(toApplicationKey);
}

/**
 * The single-mapping read (CONTRACT.md 7.2): no owner check, `keyManager` is the key manager's
 * UUID, always asks the key manager. `null` when API-M answers 200 with an empty body, which it
 * does for an unknown application; an unknown mapping is a 500 with the generic body.
 */
export async function getOAuthKey(
  call: DevportalCall,
  applicationId: string,
  keyMappingId: string,
): Promise<ApimApplicationKey | null> {
  const body = await call<unknown>({
    method: 'GET',
    path: `/applications/${encodeURIComponent(
      applicationId,
    )}/oauth-keys/${encodeURIComponent(keyMappingId)}`,
    operation: 'GET /applications/{id}/oauth-keys/{keyMappingId}',
  });
  return body === undefined || body === null ? null : toApplicationKey(body);
}

/**
 * The body of `POST /applications/{id}/map-keys` (CONTRACT.md, TL;DR 2): an existing client of
 * key manager `keyManager` (its name) as the application's `keyType` key. The secret is sent to
 * API-M only, never kept.
 */
export interface MapKeysRequest {
  consumerKey: string;
  consumerSecret: string;
  keyManager: string;
  keyType: string;
}

export async function mapKeys(
  call: DevportalCall,
  applicationId: string,
  request: MapKeysRequest,
): Promise<ApimApplicationKey> {
  const body = await call<unknown>({
    method: 'POST',
    path: `/applications/${encodeURIComponent(applicationId)}/map-keys`,
    operation: 'POST /applications/{id}/map-keys',
    body: {
      consumerKey: request.consumerKey,
      consumerSecret: request.consumerSecret,
      keyManager: request.keyManager,
      keyType: request.keyType,
    },
  });
  return toApplicationKey(body);
}

/**
 * Removes a mapping from API-M; the client stays in its key manager. Uses DELETE (API-M 4.3+)
 * and falls back to clean-up on versions without it.
 *
 * @returns how: `deleted` (gateways are told, CONTRACT.md 9.2) or `cleaned-up` (gateways are not
 *   told and keep accepting the client's tokens until they resync, CONTRACT.md 9.1, 14.2 item 4)
 */
export async function removeMapping(
  call: DevportalCall,
  applicationId: string,
  keyMappingId: string,
): Promise<'deleted' | 'cleaned-up'> {
  const base = `/applications/${encodeURIComponent(
    applicationId,
  )}/oauth-keys/${encodeURIComponent(keyMappingId)}`;
  try {
    await call({
      method: 'DELETE',
      path: base,
      operation: 'DELETE /applications/{id}/oauth-keys/{keyMappingId}',
    });
    return 'deleted';
  } catch (error) {
    // API-M 4.2 has no DELETE route (405, or a 404 that is not "application not found").
    const noDeleteRoute =
      error instanceof ApimError &&
      (error.is(405) ||
        (error.is(404) && !/application/i.test(error.description ?? '')));
    if (!noDeleteRoute) throw error;
    await cleanUp(call, applicationId, keyMappingId);
    return 'cleaned-up';
  }
}

export async function cleanUp(
  call: DevportalCall,
  applicationId: string,
  keyMappingId: string,
): Promise<void> {
  await call({
    method: 'POST',
    path: `/applications/${encodeURIComponent(
      applicationId,
    )}/oauth-keys/${encodeURIComponent(keyMappingId)}/clean-up`,
    operation: 'POST /applications/{id}/oauth-keys/{keyMappingId}/clean-up',
  });
}

/** Keeps only what we use; `consumerSecret`, `consumerSecrets` and `token` are dropped here. */
function toApplicationKey(raw: unknown): ApimApplicationKey {
  const key = recordWith(
    raw,
    ['keyMappingId', 'consumerKey'],
    'ApplicationKey',
    'an application key',
  );
  return {
    keyMappingId: key.keyMappingId,
    keyManager: String(key.keyManager ?? ''),
    consumerKey: key.consumerKey,
    supportedGrantTypes: Array.isArray(key.supportedGrantTypes)
      ? key.supportedGrantTypes.map(String)
      : [],
    keyType: key.keyType === 'SANDBOX' ? 'SANDBOX' : 'PRODUCTION',
    mode: typeof key.mode === 'string' ? key.mode : null,
    keyState: typeof key.keyState === 'string' ? key.keyState : null,
  };
}
