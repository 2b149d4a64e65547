/*
 * The Backstage backend of the API-M Credentials demo and tests: the apim-credentials plugin, its
 * scaffolder actions and the demo permission policy, next to the core plugins they need.
 * Configuration: app-config.yaml at the repository root (see the README there).
 */

import { createBackend } from '@backstage/backend-defaults';
import {
  demoLocalPublishModule,
  demoRepositoriesPlugin,
} from './demo/localRepositories';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// scaffolder plugin
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);
// apim:credentials:provision / apim:credentials:unprovision actions
backend.add(
  import(
    '@apim-credentials/backstage-plugin-scaffolder-backend-module-apim-credentials'
  ),
);

// Demo only: a repository host inside this backend, so the "New service with its OAuth2 client"
// template runs to its end without GitHub (see src/demo/localRepositories.ts).
backend.add(demoRepositoriesPlugin);
backend.add(demoLocalPublishModule);

// auth plugin
backend.add(import('@backstage/plugin-auth-backend'));
// See https://backstage.io/docs/backend-system/building-backends/migrating#the-auth-plugin
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
// See https://backstage.io/docs/auth/guest/provider
// A second real person: OpenID Connect sign-in at the local key manager (the WSO2 IS stand-in),
// e.g. pat of platform-team, who approves production keys a guest requested (app-config.yaml).
backend.add(import('@backstage/plugin-auth-backend-module-oidc-provider'));

// catalog plugin
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);

// See https://backstage.io/docs/features/software-catalog/configuration#subscribing-to-catalog-errors
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// permission plugin
backend.add(import('@backstage/plugin-permission-backend'));
// Owners provision their entities' API-M credentials; platform-team reads the audit log.
backend.add(
  import(
    '@internal/backstage-plugin-permission-backend-module-apim-demo-policy'
  ),
);

// API-M Credentials: provision existing OAuth2 clients into WSO2 API-M applications
backend.add(
  import('@apim-credentials/backstage-plugin-apim-credentials-backend'),
);

// search plugin
backend.add(import('@backstage/plugin-search-backend'));

// search engine
// See https://backstage.io/docs/features/search/search-engines
backend.add(import('@backstage/plugin-search-backend-module-pg'));

// search collators
backend.add(import('@backstage/plugin-search-backend-module-catalog'));

// user settings plugin
backend.add(import('@backstage/plugin-user-settings-backend'));

// notifications and signals plugins
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

// mcp actions plugin
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.start();
