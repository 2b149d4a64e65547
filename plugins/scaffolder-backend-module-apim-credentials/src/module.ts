import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createApimCredentialsProvisionAction } from './actions/provision';
import { createApimCredentialsUnprovisionAction } from './actions/unprovision';
import { createApimSubscriptionsSyncAction } from './actions/subscriptionsSync';

/**
 * Registers `apim:credentials:provision`, `apim:credentials:unprovision` and
 * `apim:subscriptions:sync` with the scaffolder.
 *
 * @public
 */
export const scaffolderModuleApimCredentials = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'apim-credentials',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolderActions: scaffolderActionsExtensionPoint,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        catalog: catalogServiceRef,
      },
      async init({ scaffolderActions, auth, discovery, catalog }) {
        const options = { auth, discovery, catalog };
        scaffolderActions.addActions(
          createApimCredentialsProvisionAction(options),
          createApimCredentialsUnprovisionAction(options),
          createApimSubscriptionsSyncAction(options),
        );
      },
    });
  },
});
