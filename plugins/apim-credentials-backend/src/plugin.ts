import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { apimCredentialsPermissions } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { createRouter } from './router';
import { createApimCredentialsServices, createCheckedAccess } from './services';
import { SubscriptionsService } from './subscriptions/SubscriptionsService';
import { registerApimCredentialsActions } from './actions';
import {
  warnAboutDeprecatedConfig,
  warnAboutRiskyConfig,
} from './startupWarnings';

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
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
        notifications: notificationService,
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init({
        config,
        logger,
        database,
        httpRouter,
        auth,
        httpAuth,
        permissions,
        permissionsRegistry,
        auditor,
        scheduler,
        lifecycle,
        catalog,
        actionsRegistry,
        notifications,
      }) {
        const services = await createApimCredentialsServices({
          config,
          database,
          logger,
          notifications,
        });
        lifecycle.addShutdownHook(() => services.close());
        // In the background: start-up does not wait for API-M (services.ts warmUp).
        lifecycle.addStartupHook(() => {
          void services.warmUp();
        });
        const { settings, instances, bindings, limits } = services;
        const { service, reader, job, trail, stores, approvals } = services;
        warnAboutRiskyConfig(config, settings, logger);
        warnAboutDeprecatedConfig(config, logger);
        permissionsRegistry.addPermissions(apimCredentialsPermissions);

        await scheduler.scheduleTask({
          id: 'apim-credentials-reconcile',
          ...settings.reconcile.schedule,
          fn: async () => {
            await job.run();
          },
        });

        const routerOptions = {
          logger,
          auth,
          httpAuth,
          permissions,
          auditor,
          catalog,
          service,
          reader,
          trail,
          stores,
          approvals,
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
        };
        httpRouter.use(await createRouter(routerOptions));

        // Actions for AI agents (issue 14 item 3), checked like the REST API (same services).
        const { access, gate } = createCheckedAccess(routerOptions);
        registerApimCredentialsActions(actionsRegistry, {
          auth,
          access,
          gate,
          service,
          reader,
          stores,
          bindings,
          auditor,
          logger,
          appBaseUrl: config.getOptionalString('app.baseUrl'),
        });
      },
    });
  },
});
