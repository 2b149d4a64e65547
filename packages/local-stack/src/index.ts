/**
 * Starts the local stack: TLS material, the key manager (WSO2 IS stand-in, 9444) and the WSO2
 * API-M emulator (9443), seeds demo OAuth2 clients in the key manager ("created out of band",
 * step 2 of the seed) and writes `<stateDir>/stack.json`.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  KeyManagerClient,
  KeyManagerError,
  RunningKeyManager,
  spawnKeyManager,
} from '@internal/key-manager';
import { loadOrCreateLocalTls } from '@internal/local-tls';
import { spawnApimEmulator } from '@internal/apim-emulator';
import { DEMO_APIS } from './demoApis';
import { seedSignInClient, SignInInfo } from './signIn';

import type {
  ApimVersion,
  EmulatorControl,
  SpawnedApimEmulator,
} from '@internal/apim-emulator';

type SpawnedEmulator = SpawnedApimEmulator;
export type { EmulatorControl };
export { BACKSTAGE_SIGN_IN_CLIENT, seedSignInClient } from './signIn';
export type { SignInInfo } from './signIn';

export interface LocalStackOptions {
  /** Folder for TLS material (`tls/`), persisted state and `stack.json` (e.g. `.local`). */
  stateDir: string;
  /** Default 9443 (WSO2 API-M); 0 = random. */
  emulatorPort?: number;
  /** Default 9444 (WSO2 IS); 0 = random. */
  keyManagerPort?: number;
  /** Keep key manager clients and emulator state in `stateDir` across restarts. Default false. */
  persist?: boolean;
  /** Create the demo clients in the key manager (idempotent). Default true. */
  seedDemoClients?: boolean;
  /** Admin of the key manager's DCR endpoints. Default admin/admin. */
  keyManagerAdmin?: { username: string; password: string };
  /** API-M release the emulator reproduces (CONTRACT 14.3); default env APIM_EMULATOR_VERSION, else 4.6. */
  apimVersion?: ApimVersion;
  /** Receives log lines of the child processes (default: not printed). */
  onLog?: (source: 'key-manager' | 'apim-emulator', line: string) => void;
}

export interface DemoClientSpec {
  name: string;
  grantTypes: string[];
  redirectUris?: string[];
  description: string;
}

export interface DemoClient {
  name: string;
  clientId: string;
  clientSecret: string;
  grantTypes: string[];
  description: string;
}

export interface LocalStack {
  emulator: { url: string; control: EmulatorControl };
  keyManager: RunningKeyManager;
  tls: { caPath: string; ca: string };
  demoClients: DemoClient[];
  /** Backstage's sign-in client and the demo users (signIn.ts); unset without seeding. */
  signIn?: SignInInfo;
  /** Path of `<stateDir>/stack.json`. */
  stackFile: string;
  stop(): Promise<void>;
}

/** The OAuth2 clients an organisation created in WSO2 IS out of band (seed, step 2). */
export const DEMO_CLIENTS: DemoClientSpec[] = [
  {
    name: 'orders-service-sandbox',
    grantTypes: ['client_credentials'],
    description: 'orders-service, SANDBOX key type',
  },
  {
    name: 'orders-service-prod',
    grantTypes: ['client_credentials'],
    description: 'orders-service, PRODUCTION key type',
  },
  {
    name: 'payments-service-sandbox',
    grantTypes: ['client_credentials'],
    description: 'payments-service, SANDBOX key type',
  },
  {
    name: 'web-portal-no-cc',
    grantTypes: ['authorization_code', 'refresh_token'],
    redirectUris: ['https://localhost:3000/callback'],
    description: 'no client_credentials grant (the "grant not allowed" case)',
  },
];

/** Stable, WSO2-looking consumer key for a demo client (same id on every start). */
export function demoClientId(name: string): string {
  return createHash('sha256')
    .update(`apim-credentials-local-demo:${name}`)
    .digest('base64url')
    .slice(0, 28);
}

/** Creates the demo clients unless they exist (looked up by fixed id, then by name). */
export async function seedDemoClients(
  client: KeyManagerClient,
  specs: DemoClientSpec[] = DEMO_CLIENTS,
): Promise<DemoClient[]> {
  const result: DemoClient[] = [];
  for (const spec of specs) {
    const clientId = demoClientId(spec.name);
    let info = await client.getClient(clientId);
    if (!info) {
      try {
        info = await client.createClient({
          name: spec.name,
          clientId,
          grantTypes: spec.grantTypes,
          redirectUris: spec.redirectUris,
        });
      } catch (error) {
        // A client with this name created by hand: use it as it is.
        if (!(error instanceof KeyManagerError && error.status === 400))
          throw error;
        info = await client.findClientByName(spec.name);
        if (!info) throw error;
      }
    }
    result.push({
      name: spec.name,
      clientId: info.clientId,
      clientSecret: info.clientSecret,
      grantTypes: info.grantTypes,
      description: spec.description,
    });
  }
  return result;
}

async function writeStackFile(file: string, content: unknown) {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, `${JSON.stringify(content, null, 2)}\n`, {
    mode: 0o600,
  });
  await fs.rename(tmp, file);
}

export async function startLocalStack(
  options: LocalStackOptions,
): Promise<LocalStack> {
  const stateDir = path.resolve(options.stateDir);
  const tlsDir = path.join(stateDir, 'tls');
  await fs.mkdir(stateDir, { recursive: true });
  const tls = await loadOrCreateLocalTls(tlsDir);
  const caPath = path.join(tlsDir, 'ca.pem');

  const keyManager = await spawnKeyManager({
    port: options.keyManagerPort ?? 9444,
    tlsDir,
    dataFile: options.persist
      ? path.join(stateDir, 'key-manager.json')
      : undefined,
    admin: options.keyManagerAdmin,
    onLog: options.onLog && (line => options.onLog!('key-manager', line)),
  });

  let emulator: SpawnedEmulator | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.allSettled([emulator?.stop(), keyManager.stop()]);
  };

  try {
    const demoClients =
      options.seedDemoClients === false
        ? []
        : await seedDemoClients(keyManager.client);
    const signIn =
      options.seedDemoClients === false
        ? undefined
        : await seedSignInClient(keyManager.client);

    emulator = await spawnApimEmulator({
      port: options.emulatorPort ?? 9443,
      tlsDir,
      keyManagerUrl: keyManager.baseUrl,
      keyManagerAdmin: `${keyManager.admin.username}:${keyManager.admin.password}`,
      stateFile: options.persist
        ? path.join(stateDir, 'apim-emulator.json')
        : undefined,
      apimVersion: options.apimVersion,
      apis: DEMO_APIS,
    });

    const stackFile = path.join(stateDir, 'stack.json');
    await writeStackFile(stackFile, {
      description:
        'Local stack (WSO2 API-M emulator + key manager). Demo credentials only; this folder is git-ignored.',
      startedAt: new Date().toISOString(),
      apim: { url: emulator.url },
      keyManager: {
        name: 'IS',
        url: keyManager.baseUrl,
        issuer: keyManager.issuer,
        tokenEndpoint: keyManager.tokenEndpoint,
        jwksUri: keyManager.jwksUri,
        introspectionEndpoint: keyManager.introspectionEndpoint,
        dcrEndpoint: keyManager.dcrEndpoint,
        admin: keyManager.admin,
      },
      tls: { caPath },
      demoClients,
      signIn,
    });

    return {
      emulator: { url: emulator.url, control: emulator.control },
      keyManager,
      tls: { caPath, ca: tls.ca },
      demoClients,
      signIn,
      stackFile,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
