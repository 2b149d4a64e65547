/**
 * The key managers of an instance (devportal v3 `/key-managers`), each with the token endpoint a
 * secret may be sent to.
 */
import { resolveTokenEndpoint } from '../keymanager/tokenEndpoint';
import type { DevportalCall } from './devportalCall';
import type { ApimKeyManager } from './types';

export async function listKeyManagers(
  call: DevportalCall,
  endpointSettings: Parameters<typeof resolveTokenEndpoint>[0],
): Promise<ApimKeyManager[]> {
  const body = await call<{ list?: ApimKeyManager[] }>({
    method: 'GET',
    path: '/key-managers',
    operation: 'GET /key-managers',
  });
  return (body.list ?? []).map(km => {
    // Where a secret may go is decided once, here, for every caller (CONTRACT.md 14.2 item 1).
    const endpoint = resolveTokenEndpoint(endpointSettings, km);
    return {
      id: km.id,
      name: km.name,
      displayName: km.displayName ?? km.name,
      type: km.type,
      enabled: Boolean(km.enabled),
      enableMapOAuthConsumerApps: Boolean(km.enableMapOAuthConsumerApps),
      tokenEndpoint: endpoint.tokenEndpoint,
      ...(endpoint.refused ? { tokenEndpointRefused: endpoint.refused } : {}),
    };
  });
}
