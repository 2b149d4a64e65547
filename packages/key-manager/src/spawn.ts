/**
 * Starts the key manager as its own process (`main.ts` under tsx), because oidc-provider is
 * ESM-only and cannot be loaded by Jest. No ESM-only imports here.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { loadOrCreateLocalTls } from '@internal/local-tls';
import {
  AdminCredentials,
  ClientCredentials,
  CreateClientOptions,
  KeyManagerClient,
} from './client';

export interface SpawnKeyManagerOptions {
  /** Port to listen on; 0 picks a free one. Default 9444 (WSO2 IS). */
  port?: number;
  /** Directory with ca.pem, cert.pem, key.pem (created if missing). */
  tlsDir: string;
  /** JSON file that keeps clients (and the signing key) across restarts; memory only if unset. */
  dataFile?: string;
  /** Admin user of the DCR endpoints. Default admin/admin. */
  admin?: AdminCredentials;
  /** Milliseconds to wait for the process to listen. Default 30000. */
  startTimeoutMs?: number;
  /** Receives the child's stderr lines (default: kept for error messages only). */
  onLog?: (line: string) => void;
}

export interface RunningKeyManager {
  baseUrl: string;
  issuer: string;
  tokenEndpoint: string;
  jwksUri: string;
  introspectionEndpoint: string;
  dcrEndpoint: string;
  admin: AdminCredentials;
  /** PEM of the CA that signed the server certificate. */
  ca: string;
  /** Process id of the key manager process. */
  pid: number;
  createClient(options: CreateClientOptions): Promise<ClientCredentials>;
  deleteClient(clientId: string): Promise<void>;
  /** DCR/token client bound to this server. */
  client: KeyManagerClient;
  stop(): Promise<void>;
}

/** Absolute path of the key manager entry point. */
export const keyManagerMainPath = path.join(
  path.dirname(require.resolve('@internal/key-manager/package.json')),
  'src',
  'main.ts',
);

/** Resolves tsx's CLI (ESM entry, run with the current Node). */
export function resolveTsxCli(): string {
  return require.resolve('tsx/cli');
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) {
      child.kill('SIGKILL');
    }
  });
}

/** Sends SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  return new Promise(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function spawnKeyManager(
  options: SpawnKeyManagerOptions,
): Promise<RunningKeyManager> {
  const tlsDir = path.resolve(options.tlsDir);
  // Create the TLS material here so that the CA we hand out is the one the child serves with.
  const tls = await loadOrCreateLocalTls(tlsDir);
  const admin = options.admin ?? { username: 'admin', password: 'admin' };
  const args = [
    resolveTsxCli(),
    keyManagerMainPath,
    '--port',
    String(options.port ?? 9444),
    '--tls-dir',
    tlsDir,
    '--exit-on-stdin-close',
  ];
  if (options.dataFile) {
    const dataFile = path.resolve(options.dataFile);
    await fs.mkdir(path.dirname(dataFile), { recursive: true });
    args.push('--data-file', dataFile);
  }

  const child = spawn(process.execPath, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    // Admin credentials go through the environment, not the command line (ps shows argv).
    env: {
      ...process.env,
      KEY_MANAGER_ADMIN: `${admin.username}:${admin.password}`,
    },
  });
  running.add(child);
  installExitHook();
  child.once('exit', () => running.delete(child));

  const stderrTail: string[] = [];
  readline.createInterface({ input: child.stderr! }).on('line', line => {
    stderrTail.push(line);
    if (stderrTail.length > 50) stderrTail.shift();
    options.onLog?.(line);
  });

  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      fail(
        new Error(
          `Key manager did not start within ${
            options.startTimeoutMs ?? 30000
          } ms`,
        ),
      );
    }, options.startTimeoutMs ?? 30000);
    const onExit = (code: number | null, signal: string | null) =>
      fail(
        new Error(
          `Key manager exited during start (code ${code}, signal ${signal}): ${stderrTail.join(
            '\n',
          )}`,
        ),
      );
    function fail(error: Error) {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.kill('SIGKILL');
      reject(error);
    }
    child.once('exit', onExit);
    readline.createInterface({ input: child.stdout! }).on('line', line => {
      if (!line.startsWith('{')) return;
      try {
        const event = JSON.parse(line);
        if (event.event === 'listening' && typeof event.url === 'string') {
          clearTimeout(timer);
          child.off('exit', onExit);
          resolve(event.url);
        }
      } catch {
        // not one of ours
      }
    });
  });

  const client = new KeyManagerClient({ baseUrl, ca: tls.ca, admin });
  return {
    baseUrl,
    issuer: `${baseUrl}/oauth2/token`,
    tokenEndpoint: `${baseUrl}/oauth2/token`,
    jwksUri: `${baseUrl}/oauth2/jwks`,
    introspectionEndpoint: `${baseUrl}/oauth2/introspect`,
    dcrEndpoint: client.dcrEndpoint,
    admin,
    ca: tls.ca,
    pid: child.pid!,
    client,
    async createClient(o) {
      const created = await client.createClient(o);
      return { clientId: created.clientId, clientSecret: created.clientSecret };
    },
    deleteClient: id => client.deleteClient(id),
    stop: () => stopChild(child),
  };
}
