/**
 * The plugin's object graph, built in one place: the plugin wires it into Backstage's services,
 * and the test child process builds exactly the same graph (issue 9, "one services factory").
 */
import type {
  DatabaseService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { ApimInstances } from './apim/ApimInstances';
import { ApimCredentialsConfig, readApimCredentialsConfig } from './config';
import { ApimCredentialsStore } from './database/ApimCredentialsStore';
import { ApplicationBindingStore } from './database/ApplicationBindingStore';
import { DatabaseWindowCounter } from './database/windowCounters';
import { CredentialVerifier } from './keymanager/CredentialVerifier';
import { ApimDirectory } from './service/ApimDirectory';
import { ApplicationBindings } from './service/ApplicationBindings';
import { AttemptLimits, readRateLimitSettings } from './service/attemptLimits';
import { CredentialsReader } from './service/CredentialsReader';
import { ProvisioningService } from './service/ProvisioningService';
import { ReconcileJob } from './service/ReconcileJob';

/** What createApimCredentialsServices builds; `close()` releases the HTTP pools. */
export interface ApimCredentialsServices {
  settings: ApimCredentialsConfig;
  store: ApimCredentialsStore;
  instances: ApimInstances;
  directory: ApimDirectory;
  bindings: ApplicationBindings;
  limits: AttemptLimits;
  service: ProvisioningService;
  reader: CredentialsReader;
  job: ReconcileJob;
  /** Closes every API-M instance's connection pool; call once, at shutdown. */
  close(): Promise<void>;
}

/**
 * Reads `apimCredentials` from the root config, migrates the plugin's database (unless
 * `database.migrations.skip`) and builds the services over one key-manager/application cache.
 *
 * @throws the configuration reader's errors (naming the key) for an invalid `apimCredentials`
 */
export async function createApimCredentialsServices(options: {
  config: Config;
  database: DatabaseService;
  logger: LoggerService;
}): Promise<ApimCredentialsServices> {
  const { config, database, logger } = options;
  const settings = readApimCredentialsConfig(config);
  const store = await ApimCredentialsStore.create({ database });
  // Counted in the database, so that replicas count together (issue 10 items 3, 5).
  const limits = new AttemptLimits(
    new DatabaseWindowCounter(await database.getClient()),
    readRateLimitSettings(config),
  );
  store.gateDeniedRows(start => limits.deniedRow(start));
  const instances = ApimInstances.create(settings.instances);
  // One cache of key managers and application ids, shared by reads and provisioning.
  const directory = new ApimDirectory({
    keyManagerTtlMs: settings.cache.keyManagersMs,
    applicationTtlMs: settings.cache.applicationsMs,
  });
  const bindings = new ApplicationBindings({
    // Migrations ran with the store above; this one only opens the table.
    bindings: await ApplicationBindingStore.create({
      database: {
        getClient: () => database.getClient(),
        migrations: { skip: true },
      },
    }),
    store,
    instances,
    directory,
  });
  const service = new ProvisioningService({
    config: settings,
    instances,
    store,
    directory,
    bindings,
    verifier: new CredentialVerifier(),
    logger,
  });
  const reader = new CredentialsReader({
    config: settings,
    instances,
    store,
    directory,
  });
  const job = new ReconcileJob({ config: settings, instances, store, logger });
  return {
    settings,
    store,
    instances,
    directory,
    bindings,
    limits,
    service,
    reader,
    job,
    close: () => instances.close(),
  };
}
