/**
 * The drift benchmark's data: N applications of the service account in the emulator, each with
 * one client mapped for key manager IS (PRODUCTION), the same clients registered in the key
 * manager (API-M validates each listed key against it, CONTRACT.md 7.1), and the same N rows in
 * the plugin's mapping table. Written as the emulator's and the key manager's state files, which
 * they load at start-up: creating 100,000 applications through the REST API would take hours.
 */
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { uuidFromName } from '../../packages/apim-emulator/src/state';

/** The seeded mapping of application `i` (bench/driftChild.ts writes the same rows). */
export function seededMapping(i: number) {
  const n = String(i).padStart(6, '0');
  return {
    entityRef: `component:default/drift-${n}`,
    applicationId: `00000000-0000-4000-8000-${n.padStart(12, '0')}`,
    applicationName: `drift-${n}`,
    consumerKey: `drift-client-${n}`,
    keyMappingId: `10000000-0000-4000-8000-${n.padStart(12, '0')}`,
  };
}

/** Writes apim-emulator.json and key-manager.json with `count` applications into `stateDir`. */
export async function writeDriftState(
  stateDir: string,
  count: number,
  owner: string,
): Promise<void> {
  const created = new Date(Date.now() - 86_400_000).toISOString();
  const kmId = uuidFromName('km:IS');
  const applications = [];
  const keyMappings = [];
  const clients: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const m = seededMapping(i);
    applications.push({
      applicationId: m.applicationId,
      name: m.applicationName,
      owner,
      throttlingPolicy: 'Unlimited',
      description: 'drift bench',
      status: 'APPROVED',
      groups: [],
      attributes: {},
      tokenType: 'JWT',
      createdTime: created,
      updatedTime: created,
    });
    keyMappings.push({
      keyMappingId: m.keyMappingId,
      applicationId: m.applicationId,
      keyManagerId: kmId,
      keyManagerName: 'IS',
      keyType: 'PRODUCTION',
      consumerKey: m.consumerKey,
      mode: 'MAPPED',
      state: 'COMPLETED',
      createdTime: created,
    });
    clients[m.consumerKey] = {
      client_id: m.consumerKey,
      client_secret: `drift-secret-${i}`,
      client_name: m.applicationName,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      created_at: 0,
      updated_at: 0,
    };
  }
  await fs.mkdir(stateDir, { recursive: true });
  await fs.writeFile(
    path.join(stateDir, 'apim-emulator.json'),
    JSON.stringify({
      version: 1,
      applications,
      keyMappings,
      subscriptions: [],
      dcrClients: [],
      tokens: [],
    }),
  );
  await fs.writeFile(
    path.join(stateDir, 'key-manager.json'),
    JSON.stringify({ version: 1, clients }),
  );
}
