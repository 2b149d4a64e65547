/**
 * The entity tab around the Subscriptions section: a subscription change (also a failed one,
 * which is an audit row too) makes the tab's audit history read again, and a credentials change
 * makes the section read the subscriptions again (providing a client may create the application).
 */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { EntitySubscriptions } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import {
  credentialsChanging,
  entityRef,
  fakeApi,
  mappedCredentials,
  subscribePlan,
  removedResult,
  unmappedCredentials,
} from '../../testing/fixtures';
import { renderEntityTab } from '../../testing/__testUtils__/render';

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
    renderEntityTab(api);
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
        .mockResolvedValueOnce(subscribePlan())
        .mockResolvedValueOnce({
          dryRun: false,
          environment: 'sandbox',
          application: null,
          unresolved: [],
          results: [],
        }),
    });
    renderEntityTab(api);
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
      getEntityCredentials: credentialsChanging(
        mappedCredentials,
        unmappedCredentials,
      ),
      getSubscriptions: jest.fn().mockResolvedValue(SUBSCRIPTIONS),
      unprovision: jest.fn().mockResolvedValue(removedResult()),
    });
    renderEntityTab(api);
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
