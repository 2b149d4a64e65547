import { ReactNode } from 'react';
import { SWRConfig } from 'swr';
import { useLocation, useNavigate } from 'react-router-dom';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import {
  AuthorizeResult,
  EvaluatePermissionRequest,
} from '@backstage/plugin-permission-common';
import type { Entity } from '@backstage/catalog-model';
import {
  apimCredentialsApiRef,
  ApimCredentialsFrontendApi,
} from '../../../api';
import { ApimCredentialsPlatformContent } from '../ApimCredentialsPlatformContent';

/**
 * `usePermission` caches its answers in SWR's global cache, which outlives a test; a fresh cache
 * per render keeps one test's permission answers out of the next.
 */
function FreshPermissionCache(props: { children: ReactNode }) {
  return (
    <SWRConfig value={{ provider: () => new Map() }}>
      {props.children}
    </SWRConfig>
  );
}

/** Shows the current URL and offers the browser's Back, for tests of URL state. */
function LocationProbe() {
  const location = useLocation();
  const navigate = useNavigate();
  return (
    <>
      <output data-testid="location">{location.search}</output>
      <button type="button" onClick={() => navigate(-1)}>
        Browser back
      </button>
    </>
  );
}

const users: Entity[] = ['jane', 'jim'].map(name => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: {},
}));

/** The platform page as the app mounts it, at `url`, with a catalog of two users. */
export function renderPage(
  api: ApimCredentialsFrontendApi,
  options: {
    url?: string;
    authorize?:
      | AuthorizeResult.ALLOW
      | AuthorizeResult.DENY
      | ((
          request: EvaluatePermissionRequest,
        ) => AuthorizeResult.ALLOW | AuthorizeResult.DENY);
  } = {},
) {
  return renderInTestApp(
    <FreshPermissionCache>
      <ApimCredentialsPlatformContent />
      <LocationProbe />
    </FreshPermissionCache>,
    {
      apis: [
        [apimCredentialsApiRef, api],
        [catalogApiRef, catalogApiMock({ entities: users })],
        mockApis.permission({
          authorize: options.authorize ?? AuthorizeResult.ALLOW,
        }),
      ],
      initialRouteEntries: [options.url ?? '/'],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}
