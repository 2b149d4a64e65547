/**
 * Run by ReconcileJob.test.ts as a separate process (with tsx): provisions one cell against the
 * local stack with its store in a SQLite file, so the test can kill it with SIGKILL between the
 * `pending` audit row and API-M's answer, exactly like a crashed backend.
 * Arguments: a JSON object { dbFile, config, input }.
 */
import knexFactory from 'knex';
import { ConfigReader } from '@backstage/config';
import { createApimCredentialsServices } from '../services';

async function main() {
  const { dbFile, config, input } = JSON.parse(process.argv[2]);
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: dbFile },
    useNullAsDefault: true,
  });
  const logger: any = {
    info() {},
    warn() {},
    error() {},
    debug() {},
    child: () => logger,
  };
  // The parent migrated the file already; the same graph as the plugin's, over this knex.
  const { service } = await createApimCredentialsServices({
    config: new ConfigReader({ apimCredentials: config }),
    database: { getClient: async () => knex, migrations: { skip: true } },
    logger,
  });
  process.stdout.write('started\n');
  await service.provision(input, {
    userEntityRef: 'user:default/guest',
    source: 'ui',
  });
  process.stdout.write('finished\n');
  process.exit(0);
}

main().catch(error => {
  process.stderr.write(`${error}\n`);
  process.exit(1);
});
