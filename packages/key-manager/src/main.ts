/**
 * CLI of the key manager (run with tsx):
 *
 *   tsx src/main.ts [--port 9444] --tls-dir <dir> [--data-file <file>] [--admin admin:admin]
 *                   [--host 127.0.0.1] [--exit-on-stdin-close]
 *
 * Prints `{"event":"listening","url":"https://localhost:9444"}` on stdout when ready and exits
 * cleanly on SIGTERM/SIGINT.
 */
import path from 'node:path';
import { loadOrCreateLocalTls } from '@internal/local-tls';
import { startKeyManagerServer } from './server';

function parseArgs(argv: string[]) {
  const args: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      throw new Error(`Unexpected argument ${arg}`);
    }
    const eq = arg.indexOf('=');
    if (eq > 0) {
      args[arg.slice(2, eq)] = arg.slice(eq + 1);
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      args[arg.slice(2)] = argv[++i];
    } else {
      args[arg.slice(2)] = true;
    }
  }
  return args;
}

function usage(): never {
  process.stderr.write(
    'Usage: key-manager [--port 9444] --tls-dir <dir> [--data-file <file>] [--admin user:password] [--host 127.0.0.1]\n',
  );
  process.exit(2);
}

// Our token-endpoint middleware reads the body first on purpose (to default the scope like
// WSO2 IS); oidc-provider then warns once about an upstream body parser. Drop that one notice.
const originalWarn = console.warn;
console.warn = (...args: unknown[]) => {
  if (
    typeof args[0] === 'string' &&
    args[0].includes('already parsed request body detected')
  ) {
    return;
  }
  originalWarn(...args);
};

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) usage();
  const port = args.port === undefined ? 9444 : Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage();
  const tlsDir =
    typeof args['tls-dir'] === 'string' ? args['tls-dir'] : '.local/tls';
  const dataFile =
    typeof args['data-file'] === 'string'
      ? path.resolve(args['data-file'])
      : undefined;
  const adminArg =
    typeof args.admin === 'string'
      ? args.admin
      : process.env.KEY_MANAGER_ADMIN ?? 'admin:admin';
  const sep = adminArg.indexOf(':');
  if (sep <= 0) usage();
  const admin = {
    username: adminArg.slice(0, sep),
    password: adminArg.slice(sep + 1),
  };
  const host = typeof args.host === 'string' ? args.host : undefined;

  const tls = await loadOrCreateLocalTls(path.resolve(tlsDir));
  const server = await startKeyManagerServer({
    port,
    host,
    tls,
    dataFile,
    admin,
  });

  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${JSON.stringify({ event: 'stopping', reason })}\n`);
    const timer = setTimeout(() => process.exit(0), 3000);
    timer.unref();
    await server.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  if (args['exit-on-stdin-close']) {
    // The parent keeps our stdin open; when it dies the pipe closes and we follow.
    process.stdin.on('end', () => void shutdown('parent exited'));
    process.stdin.on('error', () => void shutdown('parent exited'));
    process.stdin.resume();
  }

  process.stdout.write(
    `${JSON.stringify({ event: 'listening', url: server.url })}\n`,
  );
}

main().catch(error => {
  process.stderr.write(
    `${JSON.stringify({
      event: 'fatal',
      message: String(error?.message ?? error),
    })}\n`,
  );
  process.exit(1);
});
