import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { apimCredentialsPermissions } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { ApimInstances } from './apim/ApimInstances';
import { readApimCredentialsConfig } from './config';
import { ApimCredentialsStore } from './database/ApimCredentialsStore';
import { ApplicationBindingStore } from './database/ApplicationBindingStore';
import { ApplicationBindings } from './service/ApplicationBindings';
import { CredentialVerifier } from './keymanager/CredentialVerifier';
import { createRouter } from './router';
import { SubscriptionsService } from './subscriptions/SubscriptionsService';
import { ApimDirectory } from './service/ApimDirectory';
import { CredentialsReader } from './service/CredentialsReader';
import { ProvisioningService } from './service/ProvisioningService';
import { ReconcileJob } from './service/ReconcileJob';
import { createAccess } from './access';
import { registerApimCredentialsActions } from './actions';
import { AttemptLimits, readRateLimitSettings } from './service/attemptLimits';
import { DatabaseWindowCounter } from './database/windowCounters';
import { warnAboutRiskyConfig } from './startupWarnings';

/**
 * apim-credentials backend plugin: provisions existing OAuth2 clients into WSO2 API-M
 * applications, with an audit trail. Mounted at /api/apim-credentials.
 *
 * @public
 */
export const apimCredentialsPlugin = createBackendPlugin({
  pluginId: 'apim-credentials',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        scheduler: coreServices.scheduler,
        catalog: catalogServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init({
        config,
        logger,
        database,
        httpRouter,
        httpAuth,
        permissions,
        permissionsRegistry,
        auditor,
        scheduler,
        catalog,
        actionsRegistry,
      }) {
        const settings = readApimCredentialsConfig(config);
        const rateLimits = readRateLimitSettings(config);
        warnAboutRiskyConfig(config, settings, logger);
        permissionsRegistry.addPermissions(apimCredentialsPermissions);

        const store = await ApimCredentialsStore.create({ database });
        // Counted in the database, so that replicas count together (issue 10 items 3, 5).
        const limits = new AttemptLimits(
          new DatabaseWindowCounter(await database.getClient()),
          rateLimits,
        );
        store.gateDeniedRows(start => limits.deniedRow(start));
        const instances = ApimInstances.create(settings.instances);
        // One cache of key managers and application ids, shared by reads and provisioning.
        const directory = new ApimDirectory({
          keyManagerTtlMs: settings.cache.keyManagersSeconds * 1000,
          applicationTtlMs: settings.cache.applicationsSeconds * 1000,
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

        const job = new ReconcileJob({
          config: settings,
          instances,
          store,
          logger,
        });
        await scheduler.scheduleTask({
          id: 'apim-credentials-reconcile',
          frequency: { minutes: settings.reconcile.frequencyMinutes },
          timeout: { minutes: 10 },
          initialDelay: { seconds: 30 },
          scope: 'global',
          fn: async () => {
            await job.run();
          },
        });

        httpRouter.use(
          await createRouter({
            logger,
            httpAuth,
            permissions,
            auditor,
            catalog,
            service,
            reader,
            store,
            bindings,
            limits,
            subscriptions: new SubscriptionsService({
              environments: settings.environments,
              instances,
              bindings,
              allowedTiers: config.getOptionalStringArray(
                'apimCredentials.subscriptions.allowedTiers',
              ),
            }),
          }),
        );

        // Actions for AI agents (issue 14 item 3), checked like the REST API.
        registerApimCredentialsActions(actionsRegistry, {
          access: createAccess({ permissions, catalog }),
          service,
          reader,
          store,
          bindings,
          auditor,
          logger,
          appBaseUrl: config.getOptionalString('app.baseUrl'),
        });
      },
    });
  },
});
