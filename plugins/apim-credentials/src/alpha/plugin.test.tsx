import { screen } from '@testing-library/react';
import { mockApis, renderTestApp } from '@backstage/frontend-test-utils';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { apimCredentialsApiRef } from '../api';
import {
  entity,
  entityWithoutAnnotation,
  fakeApi,
  mappedCredentials,
} from '../testing/fixtures';
import plugin, {
  apimCredentialsEntityContent,
  apimCredentialsPage,
  apimCredentialsRootRouteRef,
} from '../alpha';
import { entityContentRouteRef, rootRouteRef } from '../routes';

jest.setTimeout(30_000);

describe('new frontend system', () => {
  it('is the apim-credentials plugin with its API, entity tab and page', () => {
    expect(plugin.pluginId).toBe('apim-credentials');
    expect(
      plugin.getExtension('entity-content:apim-credentials/credentials'),
    ).toBeDefined();
    expect(plugin.getExtension('page:apim-credentials')).toBeDefined();
    expect(plugin.getExtension('api:apim-credentials')).toBeDefined();
    expect(
      plugin.getExtension(
        'scaffolder-form-field:apim-credentials/environments-picker',
      ),
    ).toBeDefined();
    expect(
      plugin.getExtension(
        'scaffolder-form-field:apim-credentials/key-manager-picker',
      ),
    ).toBeDefined();
    expect(
      plugin.getExtension(
        'scaffolder-form-field:apim-credentials/clients-picker',
      ),
    ).toBeDefined();
    expect(apimCredentialsPage).toBeDefined();
  });

  it('renders the tab for an entity with the annotation', async () => {
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity }),
        apimCredentialsEntityContent,
      ],
      apis: [
        [
          apimCredentialsApiRef,
          fakeApi({
            getEntityCredentials: jest
              .fn()
              .mockResolvedValue(mappedCredentials),
          }),
        ],
        mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
      ],
    });
    expect(
      await screen.findByText('orders-sandbox-client', undefined, {
        timeout: 10_000,
      }),
    ).toBeInTheDocument();
  });

  it.each([
    ['has no annotation', entityWithoutAnnotation],
    [
      'names its application with only spaces',
      {
        ...entity,
        metadata: {
          ...entity.metadata,
          annotations: { 'wso2.com/apim-application': '   ' },
        },
      },
    ],
  ])('leaves the tab out for an entity that %s', async (_what, subject) => {
    const api = fakeApi();
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity: subject }),
        apimCredentialsEntityContent,
      ],
      apis: [
        [apimCredentialsApiRef, api],
        mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
      ],
    });
    // Give the app time to render whatever it would render.
    await new Promise(resolve => setTimeout(resolve, 500));
    expect(screen.queryByText('API-M Credentials')).not.toBeInTheDocument();
    expect(api.getEntityCredentials).not.toHaveBeenCalled();
  });

  it('routes with the legacy route refs themselves (one ref per route for both systems)', () => {
    expect(apimCredentialsRootRouteRef).toBe(rootRouteRef);
    expect(plugin.routes.root).toBe(rootRouteRef);
    expect(plugin.routes.entityContent).toBe(entityContentRouteRef);
  });

  it('renders the platform page as one Backstage page with one header', async () => {
    renderTestApp({
      extensions: [apimCredentialsPage],
      initialRouteEntries: ['/apim-credentials'],
      apis: [
        [apimCredentialsApiRef, fakeApi()],
        mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
      ],
    });
    expect(
      await screen.findByText(
        /OAuth2 clients mapped into WSO2 API Manager applications/,
        undefined,
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    // `hidden: true`: in jsdom, the app's react-aria toast layer marks the rest of the page as
    // outside the accessibility tree; what counts here is that exactly one header renders.
    expect(
      screen.getAllByRole('heading', {
        name: 'API-M Credentials',
        hidden: true,
      }),
    ).toHaveLength(1);
  });
});
