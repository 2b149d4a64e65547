import {
  createApiFactory,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { apimCredentialsApiRef, ApimCredentialsFrontendClient } from './api';
import { entityContentRouteRef, rootRouteRef } from './routes';

/**
 * The apim-credentials plugin for apps on the legacy frontend system. New-system apps use the
 * default export of `@apim-credentials/backstage-plugin-apim-credentials/alpha` instead.
 *
 * @public
 */
export const apimCredentialsPlugin = createPlugin({
  id: 'apim-credentials',
  apis: [
    createApiFactory({
      api: apimCredentialsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new ApimCredentialsFrontendClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    root: rootRouteRef,
    entityContent: entityContentRouteRef,
  },
});

/**
 * The "API-M Credentials" entity tab, for `<EntityLayout.Route if={isApimCredentialsAvailable}>`.
 *
 * @public
 */
export const EntityApimCredentialsContent = apimCredentialsPlugin.provide(
  createRoutableExtension({
    name: 'EntityApimCredentialsContent',
    component: () =>
      import('./components/ApimCredentialsEntityContent').then(
        m => m.ApimCredentialsEntityContent,
      ),
    mountPoint: entityContentRouteRef,
  }),
);

/**
 * The platform page (all mappings, audit log, CSV export), for `<Route path="/apim-credentials">`.
 *
 * @public
 */
export const ApimCredentialsPage = apimCredentialsPlugin.provide(
  createRoutableExtension({
    name: 'ApimCredentialsPage',
    component: () =>
      import('./components/PlatformPage').then(m => m.ApimCredentialsPage),
    mountPoint: rootRouteRef,
  }),
);
