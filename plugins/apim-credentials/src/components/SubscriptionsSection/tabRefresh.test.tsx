/**
 * The entity tab around the Subscriptions section: a subscription change (also a failed one,
 * which is an audit row too) makes the tab's audit history read again, and a credentials change
 * makes the section read the subscriptions again (providing a client may create the application).
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
import type { EntitySubscriptions } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { apimCredentialsApiRef, ApimCredentialsFrontendApi } from '../../api';
import {
  entity,
  entityRef,
  fakeApi,
  mappedCredentials,
  unmappedCredentials,
} from '../../testing/fixtures';
import { ApimCredentialsEntityContent } from '../ApimCredentialsEntityContent';

jest.setTimeout(30_000);

const SUBSCRIPTIONS: EntitySubscriptions = {
  entityRef,
  declared: ['api:default/pizzashack-api'],
  environments: [
    {
      environment: 'sandbox',
      application: { applicationId: 'app-1', name: 'orders-app' },
      subscribed: [],
      missing: [
        {
          apiRef: 'api:default/pizzashack-api',
          name: 'PizzaShackAPI',
          tiers: ['Unlimited'],
        },
      ],
      undeclared: [],
      unresolved: [],
    },
  ],
};

function FreshPermissionCache(props: { children: ReactNode }) {
  return (
    <SWRConfig value={{ provider: () => new Map() }}>
      {props.children}
    </SWRConfig>
  );
}

function renderTab(api: ApimCredentialsFrontendApi) {
  return renderInTestApp(
    <FreshPermissionCache>
      <EntityProvider entity={entity}>
        <ApimCredentialsEntityContent />
      </EntityProvider>
    </FreshPermissionCache>,
    {
      apis: [
        [apimCredentialsApiRef, api],
        mockApis.permission({ authorize: () => AuthorizeResult.ALLOW }),
      ],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

async function subscribeButton() {
  // The whole tab renders first (cards, audit history): more than findBy's default second.
  const region = await screen.findByRole(
    'region',
    { name: 'Subscriptions in sandbox' },
    { timeout: 10_000 },
  );
  return within(region).findByRole('button', {
    name: 'Subscribe to PizzaShackAPI',
  });
}

describe('the entity tab around the Subscriptions section', () => {
  it('reads the audit history again after a subscription and after a failed one', async () => {
    const api = fakeApi({
      getSubscriptions: jest.fn().mockResolvedValue(SUBSCRIPTIONS),
      subscribe: jest
        .fn()
        .mockResolvedValueOnce({ outcome: 'succeeded', apiRef: 'x' })
        .mockRejectedValueOnce(new Error('is waiting for approval')),
    });
    renderTab(api);
    await userEvent.click(await subscribeButton());
    await waitFor(() => expect(api.getAudit).toHaveBeenCalledTimes(2));
    expect(api.getSubscriptions).toHaveBeenCalledTimes(2);

    await userEvent.click(await subscribeButton());
    expect(await screen.findByText('is waiting for approval')).toBeVisible();
    await waitFor(() => expect(api.getAudit).toHaveBeenCalledTimes(3));
  });

  it('reads the audit history again after an applied sync', async () => {
    const api = fakeApi({
      getSubscriptions: jest.fn().mockResolvedValue(SUBSCRIPTIONS),
      syncSubscriptions: jest
        .fn()
        .mockResolvedValueOnce({
          dryRun: true,
          environment: 'sandbox',
          application: null,
          unresolved: [],
          items: [
            {
              apiRef: 'api:default/pizzashack-api',
              apiId: 'p1',
              name: 'PizzaShackAPI',
              version: '1.0.0',
              action: 'subscribe',
            },
          ],
        })
        .mockResolvedValueOnce({
          dryRun: false,
          environment: 'sandbox',
          application: null,
          unresolved: [],
          results: [],
        }),
    });
    renderTab(api);
    const region = await screen.findByRole(
      'region',
      { name: 'Subscriptions in sandbox' },
      { timeout: 10_000 },
    );
    await userEvent.click(
      await within(region).findByRole('button', { name: 'Sync with catalog' }),
    );
    // The preview changes nothing: no new audit read.
    await screen.findByRole('dialog');
    expect(api.getAudit).toHaveBeenCalledTimes(1);
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(api.getAudit).toHaveBeenCalledTimes(2));
  });

  it('reads the subscriptions again after a credentials change', async () => {
    const api = fakeApi({
      getEntityCredentials: jest
        .fn()
        .mockResolvedValueOnce(mappedCredentials)
        .mockResolvedValue(unmappedCredentials),
      getSubscriptions: jest.fn().mockResolvedValue(SUBSCRIPTIONS),
      unprovision: jest.fn().mockResolvedValue({
        status: 'removed',
        entityRef,
        environment: 'sandbox',
        keyManager: 'IS',
        consumerKey: 'orders-sandbox-client',
        auditId: 'a2',
      }),
    });
    renderTab(api);
    await subscribeButton();
    expect(api.getSubscriptions).toHaveBeenCalledTimes(1);
    const card = await screen.findByTestId('environment-card-sandbox');
    await userEvent.click(
      within(within(card).getByTestId('mapping-row-IS')).getByRole('button', {
        name: /^Remove /,
      }),
    );
    await userEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Remove mapping',
      }),
    );
    await waitFor(() => expect(api.getSubscriptions).toHaveBeenCalledTimes(2));
  });
});
