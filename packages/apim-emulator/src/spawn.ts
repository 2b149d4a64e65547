/** Runs `src/main.ts` as a child process (tsx) and waits for its `listening` line. */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { EmulatorControl } from './control';
import type { ApimVersion } from './profiles';
import type { ApiOptions } from './types';

export interface SpawnApimEmulatorOptions {
  /** Default 0 (random). */
  port?: number;
  /** Directory with ca.pem, cert.pem, key.pem (created with @internal/local-tls if missing). */
  tlsDir: string;
  keyManagerUrl?: string;
  /** `user:password` for the key manager's DCR endpoint; default admin:admin. */
  keyManagerAdmin?: string;
  stateFile?: string;
  /** Release profile (CONTRACT 14.3); default: env APIM_EMULATOR_VERSION, else 4.6. */
  apimVersion?: ApimVersion;
  /** APIs published besides PizzaShackAPI and CalculatorAPI (CONTRACT 11); passed as env APIM_EMULATOR_APIS. */
  apis?: ApiOptions[];
  /** Extra environment for the child. */
  env?: Record<string, string | undefined>;
  /** Default 30 000. */
  startTimeoutMs?: number;
}

export interface SpawnedApimEmulator {
  url: string;
  control: EmulatorControl;
  /** Child process id. */
  pid: number;
  stop(): Promise<void>;
}

/** Absolute path of `src/main.ts` of this package. */
export function apimEmulatorMainPath(): string {
  return path.join(
    path.dirname(require.resolve('@internal/apim-emulator/package.json')),
    'src',
    'main.ts',
  );
}

export async function spawnApimEmulator(
  options: SpawnApimEmulatorOptions,
): Promise<SpawnedApimEmulator> {
  const tsxCli = require.resolve('tsx/cli');
  const mainTs = apimEmulatorMainPath();
  const args = [
    tsxCli,
    mainTs,
    '--port',
    String(options.port ?? 0),
    '--tls-dir',
    options.tlsDir,
  ];
  if (options.keyManagerUrl)
    args.push('--key-manager-url', options.keyManagerUrl);
  if (options.stateFile) args.push('--state-file', options.stateFile);
  if (options.apimVersion) args.push('--apim-version', options.apimVersion);
  const child = spawn(process.execPath, args, {
    // Admin credentials go through the environment, not argv (ps shows argv).
    env: {
      ...process.env,
      ...(options.keyManagerAdmin
        ? { APIM_EMULATOR_KM_ADMIN: options.keyManagerAdmin }
        : {}),
      ...(options.apis
        ? { APIM_EMULATOR_APIS: JSON.stringify(options.apis) }
        : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', d => {
    stderr = (stderr + d.toString()).slice(-8000);
  });
  const exited = new Promise<number | null>(resolve =>
    child.once('exit', code => resolve(code)),
  );

  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(
        new Error(
          `API-M emulator did not report listening within ${timeoutMs} ms. stderr:\n${stderr}`,
        ),
      );
    }, timeoutMs);
    child.stdout!.on('data', d => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const raw of lines) {
        const line = raw.trim();
        try {
          const msg = JSON.parse(line);
          if (msg?.event === 'listening' && typeof msg.url === 'string') {
            clearTimeout(timer);
            resolve(msg.url);
          }
        } catch {
          // not our line
        }
      }
    });
    child.once('exit', code => {
      clearTimeout(timer);
      reject(
        new Error(
          `API-M emulator exited with code ${code} before listening. stderr:\n${stderr}`,
        ),
      );
    });
    child.once('error', e => {
      clearTimeout(timer);
      reject(e);
    });
  });
  child.stdout!.resume();

  const ca = await readFile(path.join(options.tlsDir, 'ca.pem'), 'utf8');
  return {
    url,
    pid: child.pid!,
    control: new EmulatorControl(url, ca),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
