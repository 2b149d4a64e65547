/**
 * The plugin's object graph, built in one place: the plugin wires it into Backstage's services,
 * and the test child process builds exactly the same graph (issue 9, "one services factory").
 */
import type {
  DatabaseService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Access, createAccess } from './access';
import { CellGate, CellGateDeps, createCellGate } from './cellGate';
import type { Config } from '@backstage/config';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import { ApimInstances } from './apim/ApimInstances';
import { ApimCredentialsConfig, readApimCredentialsConfig } from './config';
import { ApimCredentialsDatabase } from './database/ApimCredentialsDatabase';
import {
  ApimCredentialsStores,
  createApimCredentialsStores,
} from './database/stores';
import { DatabaseWindowCounter } from './database/windowCounters';
import { CredentialVerifier } from './keymanager/CredentialVerifier';
import { ApimDirectory } from './service/ApimDirectory';
import { ApplicationBindings } from './service/ApplicationBindings';
import { AuditTrail } from './service/AuditTrail';
import { OwnerNotifier } from './notifications/ownerNotifications';
import { ApprovalNotices } from './notifications/approvalNotifications';
import { ApprovalService } from './service/approvals/ApprovalService';
import { AttemptLimits, readRateLimitSettings } from './service/attemptLimits';
import { CredentialsReader } from './service/CredentialsReader';
import { ProvisioningService } from './service/ProvisioningService';
import { ReconcileJob } from './service/ReconcileJob';

/** What createApimCredentialsServices builds; `close()` releases the HTTP pools. */
export interface ApimCredentialsServices {
  settings: ApimCredentialsConfig;
  /** The stores of each aggregate over the plugin's migrated database. */
  stores: ApimCredentialsStores;
  /** The one writer of audit rows: pending, completed (with its mapping change), denied. */
  trail: AuditTrail;
  instances: ApimInstances;
  directory: ApimDirectory;
  bindings: ApplicationBindings;
  limits: AttemptLimits;
  service: ProvisioningService;
  /** Provisioning with approval where an environment requires it (issue 14). */
  approvals: ApprovalService;
  reader: CredentialsReader;
  job: ReconcileJob;
  /**
   * Fetches each instance's REST token (DCR and password grant, apim/TokenProvider.ts) and its
   * key-manager listing into the shared caches, so that the first tab read after start-up waits
   * only for its own calls: cold, it waited for four sequential API-M calls (issue 9,
   * "Performance"). Started in the background at start-up (plugin.ts); never rejects: an
   * instance that fails is logged and fetched on first use, as without the warm-up.
   */
  warmUp(): Promise<void>;
  /** Closes every API-M instance's connection pool; call once, at shutdown. */
  close(): Promise<void>;
}

/**
 * The checks in front of every cell request, over the plugin's services and Backstage's auth,
 * permissions, catalog and auditor: the permission and ownership `access`, and the cell `gate`
 * over it (cellGate.ts). The REST router and the actions registry each take one, so an agent is
 * allowed exactly what the REST API allows.
 */
export function createCheckedAccess(
  deps: Parameters<typeof createAccess>[0] & Omit<CellGateDeps, 'access'>,
): { access: Access; gate: CellGate } {
  const { auth, permissions, catalog } = deps;
  const access = createAccess({ auth, permissions, catalog });
  const { service, trail, bindings, limits, auditor } = deps;
  return {
    access,
    gate: createCellGate({ access, service, trail, bindings, limits, auditor }),
  };
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
  /** Backstage's notification service; without it, owners are not notified. */
  notifications?: NotificationService;
}): Promise<ApimCredentialsServices> {
  const { config, database, logger, notifications } = options;
  const settings = readApimCredentialsConfig(config);
  const db = await ApimCredentialsDatabase.create({ database });
  // Counted in the database, so that replicas count together (issue 10 items 3, 5).
  const limits = new AttemptLimits(
    new DatabaseWindowCounter(db.client()),
    readRateLimitSettings(config),
  );
  const stores = await createApimCredentialsStores({
    database: db,
    // Repeated denials must not bury an entity's history (service/attemptLimits.ts).
    deniedRows: start => limits.deniedRow(start),
  });
  const notifier = new OwnerNotifier({ notifications, logger });
  const notices = new ApprovalNotices({ notifications, logger });
  const trail = new AuditTrail({ stores, logger, notifier });
  const instances = ApimInstances.create(settings.instances);
  // One cache of key managers and application ids, shared by reads and provisioning.
  const directory = new ApimDirectory({
    keyManagerTtlMs: settings.cache.keyManagersMs,
    applicationTtlMs: settings.cache.applicationsMs,
  });
  const bindings = new ApplicationBindings({
    bindings: stores.bindings,
    audit: stores.audit,
    instances,
    directory,
  });
  const service = new ProvisioningService({
    config: settings,
    instances,
    stores,
    trail,
    directory,
    bindings,
    verifier: new CredentialVerifier(),
    logger,
  });
  const reader = new CredentialsReader({
    config: settings,
    instances,
    mappings: stores.mappings,
    directory,
  });
  const approvals = new ApprovalService({
    provisioning: service,
    approvals: stores.approvals,
    mappings: stores.mappings,
    trail,
    notices,
    logger,
  });
  const job = new ReconcileJob({
    config: settings,
    instances,
    stores,
    trail,
    notifier,
    approvals,
    logger,
  });
  return {
    settings,
    stores,
    trail,
    instances,
    directory,
    bindings,
    limits,
    service,
    approvals,
    reader,
    job,
    warmUp: async () => {
      await Promise.all(
        instances.entries().map(async ([id, client]) => {
          try {
            await directory.listKeyManagers(client);
          } catch (error) {
            logger.warn(
              `Could not warm up API-M instance "${id}" at start-up (REST token and key managers); they are fetched on first use: ${error}`,
            );
          }
        }),
      );
    },
    close: () => instances.close(),
  };
}
