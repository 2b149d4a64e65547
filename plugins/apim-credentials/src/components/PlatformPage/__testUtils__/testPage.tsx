import { useLocation, useNavigate } from 'react-router-dom';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { Entity } from '@backstage/catalog-model';
import { ApimCredentialsFrontendApi } from '../../../api';
import {
  Authorize,
  renderWithApi,
} from '../../../testing/__testUtils__/render';
import { ApimCredentialsPlatformContent } from '../ApimCredentialsPlatformContent';

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
  options: { url?: string; authorize?: Authorize } = {},
) {
  return renderWithApi(
    <>
      <ApimCredentialsPlatformContent />
      <LocationProbe />
    </>,
    {
      api,
      authorize: options.authorize ?? AuthorizeResult.ALLOW,
      apis: [[catalogApiRef, catalogApiMock({ entities: users })]],
      url: options.url ?? '/',
      entityLinks: true,
    },
  );
}
