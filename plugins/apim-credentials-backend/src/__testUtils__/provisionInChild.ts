/**
 * Run by ReconcileJob.test.ts as a separate process (with tsx): provisions one cell against the
 * local stack with its store in a SQLite file, so the test can kill it with SIGKILL between the
 * `pending` audit row and API-M's answer, exactly like a crashed backend.
 * Arguments: a JSON object { dbFile, config, input }.
 */
import knexFactory from 'knex';
import { ConfigReader } from '@backstage/config';
import { ApimInstances } from '../apim/ApimInstances';
import { readApimCredentialsConfig } from '../config';
import { ApimCredentialsStore } from '../database/ApimCredentialsStore';
import { CredentialVerifier } from '../keymanager/CredentialVerifier';
import { ProvisioningService } from '../service/ProvisioningService';
import { bindingsFor } from './bindings';

async function main() {
  const { dbFile, config, input } = JSON.parse(process.argv[2]);
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: dbFile },
    useNullAsDefault: true,
  });
  const store = new ApimCredentialsStore(knex);
  const settings = readApimCredentialsConfig(
    new ConfigReader({ apimCredentials: config }),
  );
  const instances = ApimInstances.create(settings.instances);
  const logger: any = {
    info() {},
    warn() {},
    error() {},
    debug() {},
    child: () => logger,
  };
  const service = new ProvisioningService({
    config: settings,
    instances,
    store,
    verifier: new CredentialVerifier(),
    logger,
    bindings: await bindingsFor(knex, store, instances),
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
