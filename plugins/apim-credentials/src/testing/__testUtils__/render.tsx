/**
 * Rendering the plugin's components in a test app: the fake (or real) frontend API, and only
 * what the component needs besides (a permission answer with a fresh permission cache, the
 * catalog's entity route for EntityRefLink, more APIs, the starting URL), since every provider
 * costs a form-heavy test seconds. One helper, so every test sets up the same app.
 */
import { ReactElement, ReactNode } from 'react';
import { SWRConfig } from 'swr';
import { screen, within } from '@testing-library/react';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  AuthorizeResult,
  EvaluatePermissionRequest,
} from '@backstage/plugin-permission-common';
import type { Entity } from '@backstage/catalog-model';
import type { EnvironmentCredentials } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { apimCredentialsApiRef, ApimCredentialsFrontendApi } from '../../api';
import { ApimCredentialsEntityContent } from '../../components/ApimCredentialsEntityContent';
import { EnvironmentCard } from '../../components/EnvironmentCard';
import { entity as defaultEntity, entityRef, environments } from '../fixtures';

/** A permission answer: one for every request, or one per request. */
export type Authorize =
  | AuthorizeResult.ALLOW
  | AuthorizeResult.DENY
  | ((
      request: EvaluatePermissionRequest,
    ) => AuthorizeResult.ALLOW | AuthorizeResult.DENY);

/**
 * `usePermission` caches its answers in SWR's global cache, which outlives a test; a fresh cache
 * per render keeps one test's permission answers out of the next.
 */
export function FreshPermissionCache(props: { children: ReactNode }) {
  return (
    <SWRConfig value={{ provider: () => new Map() }}>
      {props.children}
    </SWRConfig>
  );
}

export interface RenderOptions {
  /** The frontend API the components call, usually `fakeApi()` of the fixtures. */
  api: ApimCredentialsFrontendApi;
  /**
   * Adds the permission API with this answer, in a fresh permission cache; without it the test
   * app's default applies.
   */
  authorize?: Authorize;
  /** Mounts the catalog's entity route, for components that link to entities. */
  entityLinks?: boolean;
  /** Further APIs (the catalog, the identity...). */
  apis?: readonly (readonly [unknown, unknown] | object)[];
  /** The URL the app starts at (query parameters of the component under test). */
  url?: string;
}

/**
 * Renders `element` in a test app with the plugin's API (see the module comment).
 *
 * @returns the result of `renderInTestApp` (await it before looking at the screen)
 */
export function renderWithApi(element: ReactElement, options: RenderOptions) {
  const withPermissions = options.authorize !== undefined;
  return renderInTestApp(
    withPermissions ? (
      <FreshPermissionCache>{element}</FreshPermissionCache>
    ) : (
      element
    ),
    {
      apis: [
        [apimCredentialsApiRef, options.api],
        ...(withPermissions
          ? [mockApis.permission({ authorize: options.authorize })]
          : []),
        ...((options.apis ?? []) as any[]),
      ],
      ...(options.url ? { initialRouteEntries: [options.url] } : {}),
      ...(options.entityLinks
        ? {
            mountedRoutes: {
              '/catalog/:namespace/:kind/:name': entityRouteRef,
            },
          }
        : {}),
    },
  );
}

/**
 * Renders the entity tab (`ApimCredentialsEntityContent`) for `entity` (the fixtures'
 * orders-service by default), every permission allowed unless `authorize` says otherwise.
 */
export function renderEntityTab(
  api: ApimCredentialsFrontendApi,
  options: Omit<RenderOptions, 'api'> & { entity?: Entity } = {},
) {
  return renderWithApi(
    <EntityProvider entity={options.entity ?? defaultEntity}>
      <ApimCredentialsEntityContent />
    </EntityProvider>,
    { authorize: AuthorizeResult.ALLOW, entityLinks: true, ...options, api },
  );
}

/**
 * Renders the sandbox card of the fixtures' entity (`EnvironmentCard`) with `credentials`.
 *
 * @returns the card and the jest mock it calls after a change
 */
export async function renderEnvironmentCard(
  api: ApimCredentialsFrontendApi,
  credentials: EnvironmentCredentials | undefined,
  options: Omit<RenderOptions, 'api'> = {},
) {
  const onChanged = jest.fn();
  await renderWithApi(
    <EnvironmentCard
      entityRef={entityRef}
      applicationName="orders-app"
      environment={environments[0]}
      credentials={credentials}
      onChanged={onChanged}
    />,
    { entityLinks: true, ...options, api },
  );
  const card = await screen.findByTestId('environment-card-sandbox');
  return { card, onChanged };
}

/** The row of `keyManager` in the sandbox card, once the card has loaded. */
export async function sandboxRow(keyManager: string) {
  const card = await screen.findByTestId('environment-card-sandbox');
  return within(card).getByTestId(`mapping-row-${keyManager}`);
}
