/**
 * Dev entry point (run with tsx by the dev script):
 *
 *   tsx packages/local-stack/src/main.ts [--state-dir .local] [--emulator-port 9443]
 *                                        [--key-manager-port 9444] [--no-persist] [--no-seed]
 *                                        [--verbose]
 *
 * Starts the key manager and the API-M emulator with persistence and demo clients, prints a
 * banner, and stops both on SIGINT/SIGTERM.
 */
import path from 'node:path';
import { startLocalStack } from './index';

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

function port(value: string | boolean | undefined, fallback: number) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`Invalid port ${value}`);
  return n;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const stateDir = path.resolve(
    cwd,
    typeof args['state-dir'] === 'string' ? args['state-dir'] : '.local',
  );
  const verbose = !!args.verbose;

  const stack = await startLocalStack({
    stateDir,
    emulatorPort: port(args['emulator-port'], 9443),
    keyManagerPort: port(args['key-manager-port'], 9444),
    persist: !args['no-persist'],
    seedDemoClients: !args['no-seed'],
    onLog: verbose
      ? (source, line) => process.stderr.write(`[${source}] ${line}\n`)
      : undefined,
  });

  const width = Math.max(...stack.demoClients.map(c => c.name.length), 10);
  const lines = [
    '',
    '================ Local stack ================',
    `WSO2 API-M emulator : ${stack.emulator.url}`,
    `Key manager (IS)    : ${stack.keyManager.baseUrl}`,
    `  token endpoint    : ${stack.keyManager.tokenEndpoint}`,
    `  issuer            : ${stack.keyManager.issuer}`,
    `  DCR (admin ${stack.keyManager.admin.username}) : ${stack.keyManager.dcrEndpoint}`,
    `CA certificate      : ${stack.tls.caPath}`,
    `State / credentials : ${stack.stackFile}`,
    '',
    'Demo OAuth2 clients in the key manager (created out of band; local demo credentials):',
    ...stack.demoClients.flatMap(c => [
      `  ${c.name.padEnd(width)}  key    ${c.clientId}`,
      `  ${' '.repeat(width)}  secret ${c.clientSecret}`,
      `  ${' '.repeat(width)}  grants ${c.grantTypes.join(', ')}  (${
        c.description
      })`,
    ]),
    '',
    ...(stack.signIn
      ? [
          `Sign in to Backstage with the key manager (OIDC client ${stack.signIn.clientId}) as:`,
          ...stack.signIn.users.map(
            u => `  ${u.username} / ${u.password}  (${u.role})`,
          ),
          '',
        ]
      : []),
    'Create another client: ./scripts/create-client.sh --name <name>',
    'Press Ctrl+C to stop.',
    '=============================================',
    '',
  ];
  process.stdout.write(lines.join('\n'));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the local stack...\n`);
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch(error => {
  process.stderr.write(
    `local stack failed to start: ${error?.stack ?? error}\n`,
  );
  process.exit(1);
});
