/**
 * Creates an OAuth2 client in a RUNNING key manager through its DCR endpoint (step 2 of
 * "Provisioning Out-of-Band OAuth2 Clients") and prints its consumer key and secret.
 *
 *   yarn workspace @internal/key-manager create-client --name my-service \
 *     [--url https://localhost:9444] [--ca .local/tls/ca.pem] [--grant-types client_credentials,...]
 *     [--redirect-uris https://...] [--admin admin:admin] [--json]
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { KeyManagerClient } from './client';

function parseArgs(argv: string[]) {
  const args: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`Unexpected argument ${arg}`);
    const eq = arg.indexOf('=');
    if (eq > 0) args[arg.slice(2, eq)] = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--'))
      args[arg.slice(2)] = argv[++i];
    else args[arg.slice(2)] = true;
  }
  return args;
}

/** The dev stack keeps its state in <repo>/.local; look for it from the caller's folder upwards. */
function defaultCaPath() {
  const start = process.env.INIT_CWD ?? process.cwd();
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, '.local/tls/ca.pem');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  return path.join(start, '.local/tls/ca.pem');
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const name = args.name;
  if (typeof name !== 'string' || args.help) {
    process.stderr.write(
      'Usage: create-client --name <client name> [--url https://localhost:9444] [--ca .local/tls/ca.pem]\n' +
        '       [--grant-types client_credentials[,authorization_code,...]] [--redirect-uris <url,...>]\n' +
        '       [--admin admin:admin] [--json]\n',
    );
    process.exit(2);
  }
  const url =
    typeof args.url === 'string' ? args.url : 'https://localhost:9444';
  const caPath =
    typeof args.ca === 'string'
      ? path.resolve(process.env.INIT_CWD ?? process.cwd(), args.ca)
      : defaultCaPath();
  const adminArg =
    typeof args.admin === 'string'
      ? args.admin
      : process.env.KEY_MANAGER_ADMIN ?? 'admin:admin';
  const sep = adminArg.indexOf(':');
  const list = (v: unknown) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map(s => s.trim())
          .filter(Boolean)
      : undefined;

  const client = new KeyManagerClient({
    baseUrl: url,
    ca: readFileSync(caPath, 'utf8'),
    admin: {
      username: adminArg.slice(0, sep),
      password: adminArg.slice(sep + 1),
    },
  });
  const created = await client.createClient({
    name,
    grantTypes: list(args['grant-types']) ?? ['client_credentials'],
    redirectUris: list(args['redirect-uris']),
  });
  if (args.json) {
    process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    [
      `Created OAuth2 client "${created.clientName}" in ${url}`,
      `  Consumer key:    ${created.clientId}`,
      `  Consumer secret: ${created.clientSecret}`,
      `  Grant types:     ${created.grantTypes.join(', ')}`,
      '',
    ].join('\n'),
  );
}

main().catch(error => {
  process.stderr.write(`create-client failed: ${error?.message ?? error}\n`);
  process.exit(1);
});
