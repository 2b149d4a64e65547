import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import {
  ApiBlueprint,
  coreApis,
  createFrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import VpnKeyIcon from '@material-ui/icons/VpnKey';
import { apimCredentialsApiRef, ApimCredentialsFrontendClient } from '../api';
import { isApimCredentialsAvailable } from '../conditions';
import { entityContentRouteRef, rootRouteRef } from '../routes';
import {
  apimClientsPickerFormField,
  apimEnvironmentsPickerFormField,
  apimKeyManagerPickerFormField,
} from './formFields';

/**
 * The platform page's route ref: the legacy system's `rootRouteRef` itself, in the new system's
 * shape (one ref for both systems).
 *
 * @alpha
 */
export const apimCredentialsRootRouteRef = convertLegacyRouteRef(rootRouteRef);

/**
 * The client, shared by every extension of the plugin.
 *
 * @alpha
 */
export const apimCredentialsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: apimCredentialsApiRef,
      deps: { discoveryApi: coreApis.discovery, fetchApi: coreApis.fetch },
      factory: ({ discoveryApi, fetchApi }) =>
        new ApimCredentialsFrontendClient({ discoveryApi, fetchApi }),
    }),
});

/**
 * The "API-M Credentials" entity tab (`entity-content:apim-credentials/credentials`), shown where
 * {@link isApimCredentialsAvailable} says so, the same rule legacy apps pass to
 * `EntityLayout.Route if`. Admins can override `path`, `title`, `group` and `filter` under
 * `app.extensions`.
 *
 * @alpha
 */
export const apimCredentialsEntityContent = EntityContentBlueprint.make({
  name: 'credentials',
  params: {
    path: '/apim-credentials',
    title: 'API-M Credentials',
    routeRef: convertLegacyRouteRef(entityContentRouteRef),
    filter: isApimCredentialsAvailable,
    loader: () =>
      import('../components/ApimCredentialsEntityContent').then(m => (
        <m.ApimCredentialsEntityContent />
      )),
  },
});

/**
 * The platform page `/apim-credentials` (`page:apim-credentials`): the same page component as in
 * legacy apps, with its own Backstage header, so the app's default page header is left out.
 *
 * @alpha
 */
export const apimCredentialsPage = PageBlueprint.make({
  params: {
    path: '/apim-credentials',
    routeRef: apimCredentialsRootRouteRef,
    title: 'API-M Credentials',
    icon: <VpnKeyIcon fontSize="inherit" />,
    noHeader: true,
    loader: () =>
      import('../components/PlatformPage').then(m => <m.ApimCredentialsPage />),
  },
});

/**
 * The apim-credentials plugin for the new frontend system.
 *
 * @alpha
 */
export const apimCredentialsPlugin = createFrontendPlugin({
  pluginId: 'apim-credentials',
  title: 'API-M Credentials',
  icon: <VpnKeyIcon fontSize="inherit" />,
  info: { packageJson: () => import('../../package.json') },
  extensions: [
    apimCredentialsApi,
    apimCredentialsEntityContent,
    apimCredentialsPage,
    apimEnvironmentsPickerFormField,
    apimKeyManagerPickerFormField,
    apimClientsPickerFormField,
  ],
  // The same refs as the legacy plugin's `routes`.
  routes: {
    root: apimCredentialsRootRouteRef,
    entityContent: convertLegacyRouteRef(entityContentRouteRef),
  },
});
