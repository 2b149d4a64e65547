import {
  ApiBlueprint,
  coreApis,
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import VpnKeyIcon from '@material-ui/icons/VpnKey';
import { APIM_APPLICATION_ANNOTATION } from '@internal/backstage-plugin-apim-credentials-common';
import { apimCredentialsApiRef, ApimCredentialsFrontendClient } from '../api';
import {
  apimEnvironmentsPickerFormField,
  apimKeyManagerPickerFormField,
} from './formFields';

/** New system: the platform page. */
export const apimCredentialsRootRouteRef = createRouteRef();

/** The client, shared by every extension of the plugin. */
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
 * The "API-M Credentials" entity tab (`entity-content:apim-credentials/credentials`), shown for
 * entities with the `wso2.com/apim-application` annotation. Admins can override `path`, `title`,
 * `group` and `filter` under `app.extensions`.
 */
export const apimCredentialsEntityContent = EntityContentBlueprint.make({
  name: 'credentials',
  params: {
    path: '/apim-credentials',
    title: 'API-M Credentials',
    filter: {
      [`metadata.annotations.${APIM_APPLICATION_ANNOTATION}`]: {
        $exists: true,
      },
    },
    loader: () =>
      import('../components/ApimCredentialsEntityContent').then(m => (
        <m.ApimCredentialsEntityContent />
      )),
  },
});

/** The platform page `/apim-credentials` (`page:apim-credentials`). */
export const apimCredentialsPage = PageBlueprint.make({
  params: {
    path: '/apim-credentials',
    routeRef: apimCredentialsRootRouteRef,
    title: 'API-M Credentials',
    icon: <VpnKeyIcon fontSize="inherit" />,
    loader: () =>
      import('../components/PlatformPage').then(m => (
        <div style={{ padding: 24 }}>
          <m.ApimCredentialsPlatformContent />
        </div>
      )),
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
  ],
  routes: {
    root: apimCredentialsRootRouteRef,
  },
});
