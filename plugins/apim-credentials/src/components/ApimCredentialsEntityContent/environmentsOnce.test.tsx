/**
 * The tab asks for the environments once per render, and its visibility rule is the one the
 * new system's `filter` and legacy apps' `EntityLayout.Route if` use.
 */
import { ReactNode } from 'react';
import { SWRConfig } from 'swr';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { Entity } from '@backstage/catalog-model';
import { apimCredentialsApiRef, ApimCredentialsFrontendApi } from '../../api';
import {
  entity,
  entityRef,
  fakeApi,
  mappedCredentials,
  unmappedCredentials,
} from '../../testing/fixtures';
import { ApimCredentialsEntityContent } from './ApimCredentialsEntityContent';

jest.setTimeout(30_000);

function renderTab(api: ApimCredentialsFrontendApi, subject: Entity = entity) {
  const Fresh = (props: { children: ReactNode }) => (
    <SWRConfig value={{ provider: () => new Map() }}>
      {props.children}
    </SWRConfig>
  );
  return renderInTestApp(
    <Fresh>
      <EntityProvider entity={subject}>
        <ApimCredentialsEntityContent />
      </EntityProvider>
    </Fresh>,
    {
      apis: [
        [apimCredentialsApiRef, api],
        mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
      ],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

describe('ApimCredentialsEntityContent', () => {
  it('makes one GET /environments for all its cards, also when they refresh after a change', async () => {
    const getEntityCredentials = jest
      .fn()
      .mockResolvedValueOnce(mappedCredentials)
      .mockResolvedValue(unmappedCredentials);
    const api = fakeApi({
      getEntityCredentials,
      unprovision: jest.fn().mockResolvedValue({
        status: 'removed',
        entityRef,
        environment: 'sandbox',
        keyManager: 'IS',
        consumerKey: 'orders-sandbox-client',
        auditId: 'a2',
      }),
    });
    await renderTab(api);
    const card = await screen.findByTestId('environment-card-sandbox');
    expect(
      await screen.findByTestId('environment-card-production'),
    ).toBeInTheDocument();
    const remove = await within(
      within(card).getByTestId('mapping-row-IS'),
    ).findByRole('button', { name: /^Remove / });
    // The cards show before the permission check answers; the button works once it has.
    await waitFor(() => expect(remove).not.toHaveAttribute('aria-disabled'));
    await userEvent.click(remove);
    await userEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Remove mapping',
      }),
    );
    await waitFor(() => expect(getEntityCredentials).toHaveBeenCalledTimes(2));
    expect(await screen.findByRole('status')).toHaveTextContent(/removed/);
    expect(api.getEnvironments).toHaveBeenCalledTimes(1);
  });

  it('shows the missing-annotation state for a name of only spaces', async () => {
    const api = fakeApi();
    await renderTab(api, {
      ...entity,
      metadata: {
        ...entity.metadata,
        annotations: { 'wso2.com/apim-application': '   ' },
      },
    });
    expect(await screen.findByText(/missing annotation/i)).toBeInTheDocument();
    expect(api.getEntityCredentials).not.toHaveBeenCalled();
  });
});
