/**
 * CLI: tsx packages/apim-emulator/src/main.ts --port 9443 --tls-dir <dir>
 *   --key-manager-url https://localhost:9444 [--key-manager-admin admin:admin] [--state-file f]
 *   (the admin may also come from env APIM_EMULATOR_KM_ADMIN=user:password, kept out of argv)
 *   [--no-provisioned-app-validation] [--token-lifetime 3600] [--no-delete-endpoint]
 *   [--apim-version 4.2|4.3|4.4|4.5|4.6] (default 4.6, or env APIM_EMULATOR_VERSION)
 * Prints {"event":"listening","url":"https://localhost:<port>"} on stdout; logs go to stderr.
 */
import { loadOrCreateLocalTls } from '@internal/local-tls';
import { DEFAULT_APIM_VERSION, parseApimVersion } from './profiles';
import { createApimEmulator } from './server';
import type { ApiOptions, EmulatorLogger } from './types';

function parseArgs(argv: string[]) {
  const out: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`Unexpected argument '${a}'`);
    const [k, inline] = a.slice(2).split('=', 2);
    if (k.startsWith('no-')) out[k.slice(3)] = false;
    else if (inline !== undefined) out[k] = inline;
    else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--'))
      out[k] = argv[++i];
    else out[k] = true;
  }
  return out;
}

const logger: EmulatorLogger = {
  info: (message, meta) =>
    process.stderr.write(
      `${JSON.stringify({ level: 'info', message, ...meta })}\n`,
    ),
  warn: (message, meta) =>
    process.stderr.write(
      `${JSON.stringify({ level: 'warn', message, ...meta })}\n`,
    ),
  error: (message, meta) =>
    process.stderr.write(
      `${JSON.stringify({ level: 'error', message, ...meta })}\n`,
    ),
};

/** APIs to publish besides the built-in ones: a JSON array of `ApiOptions` (CONTRACT 11). */
function parseApis(json: string | undefined): ApiOptions[] | undefined {
  if (!json) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('APIM_EMULATOR_APIS must be a JSON array of APIs');
  }
  if (!Array.isArray(parsed)) {
    throw new Error('APIM_EMULATOR_APIS must be a JSON array of APIs');
  }
  return parsed as ApiOptions[];
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const tlsDir =
    typeof args['tls-dir'] === 'string' ? args['tls-dir'] : undefined;
  if (!tlsDir) throw new Error('--tls-dir <dir> is required');
  const tls = await loadOrCreateLocalTls(tlsDir);
  let admin: { username: string; password: string } | undefined;
  const adminArg =
    typeof args['key-manager-admin'] === 'string'
      ? args['key-manager-admin']
      : process.env.APIM_EMULATOR_KM_ADMIN;
  if (adminArg) {
    const s = adminArg;
    const i = s.indexOf(':');
    if (i < 0) throw new Error('--key-manager-admin must be user:password');
    admin = { username: s.slice(0, i), password: s.slice(i + 1) };
  }
  // The environment variable lets a test matrix switch every spawned emulator (CONTRACT 14.3).
  const apimVersion = parseApimVersion(
    args['apim-version'] ??
      (process.env.APIM_EMULATOR_VERSION || DEFAULT_APIM_VERSION),
    '--apim-version',
  );
  const emulator = await createApimEmulator({
    apimVersion,
    port: args.port !== undefined ? Number(args.port) : 9443,
    host: typeof args.host === 'string' ? args.host : undefined,
    tls,
    keyManager: {
      baseUrl:
        typeof args['key-manager-url'] === 'string'
          ? args['key-manager-url']
          : 'https://localhost:9444',
      ca: tls.ca,
      admin,
    },
    stateFile:
      typeof args['state-file'] === 'string' ? args['state-file'] : undefined,
    provisionedAppValidation: args['provisioned-app-validation'] !== false,
    hasDeleteEndpoint: args['delete-endpoint'] !== false,
    tokenLifetimeSeconds:
      typeof args['token-lifetime'] === 'string'
        ? Number(args['token-lifetime'])
        : undefined,
    apis: parseApis(process.env.APIM_EMULATOR_APIS),
    logger,
  });
  process.stdout.write(
    `${JSON.stringify({
      event: 'listening',
      url: emulator.url,
      apimVersion,
    })}\n`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    emulator.stop().then(
      () => process.exit(0),
      e => {
        logger.error('stop failed', { error: (e as Error).message });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch(e => {
  process.stderr.write(
    `${JSON.stringify({ level: 'error', message: (e as Error).message })}\n`,
  );
  process.exit(1);
});
