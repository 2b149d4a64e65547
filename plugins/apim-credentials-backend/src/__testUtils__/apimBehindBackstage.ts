/**
 * Acting in API-M directly, behind Backstage's back, as the drift suites do (notificationsBackend,
 * staleRecordRemoval).
 */
import { ConfigReader } from '@backstage/config';
import { ApimClient } from '../apim/ApimClient';
import { readApimCredentialsConfig } from '../config';

/** An API-M client of the first instance of the `apimCredentials` config `config`. */
export function apimClientOf(config: object): ApimClient {
  return ApimClient.create(
    readApimCredentialsConfig(new ConfigReader({ apimCredentials: config }))
      .instances[0],
  );
}

/** Replaces, in API-M, the sandbox (IS) key mapping a mappings row records with one of `client`. */
export async function remapInApim(
  apim: ApimClient,
  row: { application_id: string; key_mapping_id: string },
  client: { clientId: string; clientSecret: string },
): Promise<void> {
  await apim.removeMapping(row.application_id, row.key_mapping_id);
  await apim.mapKeys(row.application_id, {
    consumerKey: client.clientId,
    consumerSecret: client.clientSecret,
    keyManager: 'IS',
    keyType: 'SANDBOX',
  });
}
