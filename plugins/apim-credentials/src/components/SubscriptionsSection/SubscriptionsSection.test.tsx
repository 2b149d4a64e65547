import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { EnvironmentSubscriptions } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { ApimCredentialsFrontendApi } from '../../api';
import { fakeApi, subscribePlan } from '../../testing/fixtures';
import { renderWithApi } from '../../testing/__testUtils__/render';
import { EnvironmentSubscriptionsView } from './SubscriptionsSection';

const REF = 'component:default/orders-service';
const DATA: EnvironmentSubscriptions = {
  environment: 'sandbox',
  application: { applicationId: 'app-1', name: 'orders-service' },
  subscribed: [
    {
      apiRef: 'api:default/payments-api',
      name: 'PaymentsAPI',
      subscriptionId: 's1',
      tier: 'Gold',
      status: 'PROD_ONLY_BLOCKED',
    },
  ],
  missing: [
    {
      apiRef: 'api:default/pizzashack-api',
      name: 'PizzaShackAPI',
      tiers: ['Unlimited'],
    },
  ],
  undeclared: [
    {
      name: 'OrdersAPI',
      apiId: 'o1',
      subscriptionId: 's2',
      tier: 'Unlimited',
      status: 'UNBLOCKED',
    },
  ],
  unresolved: [
    {
      apiRef: 'api:default/bare-api',
      code: 'API_NOT_ANNOTATED',
      message: 'names no API-M API',
    },
  ],
};

const PLAN = subscribePlan(DATA.application);

function fakeClient(
  overrides: Partial<jest.Mocked<ApimCredentialsFrontendApi>> = {},
) {
  return fakeApi({
    subscribe: jest.fn().mockResolvedValue({}),
    unsubscribe: jest.fn().mockResolvedValue({}),
    syncSubscriptions: jest.fn().mockResolvedValue(PLAN),
    ...overrides,
  });
}

async function render(
  api: ApimCredentialsFrontendApi,
  extra: { disabledReason?: string; data?: EnvironmentSubscriptions } = {},
) {
  const onChanged = jest.fn();
  await renderWithApi(
    <EnvironmentSubscriptionsView
      entityRef={REF}
      data={extra.data ?? DATA}
      disabledReason={extra.disabledReason}
      onChanged={onChanged}
    />,
    { api, entityLinks: true },
  );
  return onChanged;
}

describe('EnvironmentSubscriptionsView', () => {
  it('shows subscribed (tier, status), missing, undeclared and unresolved APIs', async () => {
    await render(fakeClient());
    const region = await screen.findByRole('region', {
      name: 'Subscriptions in sandbox',
    });
    expect(within(region).getByText('PROD_ONLY_BLOCKED')).toBeInTheDocument();
    expect(within(region).getByText('Gold')).toBeInTheDocument();
    expect(within(region).getByText('missing')).toBeInTheDocument();
    expect(within(region).getByText('not in catalog')).toBeInTheDocument();
    expect(within(region).getByText('names no API-M API')).toBeInTheDocument();
  });

  it('subscribes a missing API and unsubscribes a subscribed one', async () => {
    const client = fakeClient();
    const onChanged = await render(client);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Subscribe to PizzaShackAPI' }),
    );
    expect(client.subscribe).toHaveBeenCalledWith({
      entityRef: REF,
      environment: 'sandbox',
      apiRef: 'api:default/pizzashack-api',
    });
    await userEvent.click(
      screen.getByRole('button', { name: 'Unsubscribe from PaymentsAPI' }),
    );
    expect(client.unsubscribe).toHaveBeenCalledWith({
      entityRef: REF,
      environment: 'sandbox',
      apiRef: 'api:default/payments-api',
    });
    await waitFor(() => expect(onChanged).toHaveBeenCalledTimes(2));
  });

  it('previews the sync plan, applies it only when confirmed', async () => {
    const client = fakeClient();
    await render(client);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Sync with catalog' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Subscribe to PizzaShackAPI 1.0.0');
    const target = { entityRef: REF, environment: 'sandbox' };
    expect(client.syncSubscriptions).toHaveBeenCalledTimes(1);
    expect(client.syncSubscriptions).toHaveBeenCalledWith(
      target,
      { removeUndeclared: false },
      { dryRun: true },
    );
    // Removing undeclared subscriptions is asked for explicitly, and re-plans.
    await userEvent.click(
      within(dialog).getByRole('checkbox', {
        name: /APIs the catalog does not declare/,
      }),
    );
    await waitFor(() =>
      expect(client.syncSubscriptions).toHaveBeenLastCalledWith(
        target,
        { removeUndeclared: true },
        { dryRun: true },
      ),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() =>
      expect(client.syncSubscriptions).toHaveBeenLastCalledWith(target, {
        removeUndeclared: true,
      }),
    );
  });

  it("shows the backend's error", async () => {
    const client = fakeClient({
      subscribe: jest
        .fn()
        .mockRejectedValue(
          new Error('Application "orders-service" is waiting for approval'),
        ),
    });
    await render(client);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Subscribe to PizzaShackAPI' }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'waiting for approval',
    );
  });

  it('disables the buttons with the reason', async () => {
    const client = fakeClient();
    await render(client, {
      disabledReason: 'You may not change subscriptions',
    });
    const sync = await screen.findByRole('button', {
      name: 'Sync with catalog',
    });
    // Disabled or, focusable for screen readers, aria-disabled: either way not usable.
    expect(sync).toHaveAttribute('aria-disabled', 'true');
    expect(
      screen.getAllByTitle('You may not change subscriptions').length,
    ).toBeGreaterThan(0);
    await render(client, { data: { ...DATA, application: null } });
    expect(
      screen.getAllByTitle(/provide a client for this environment first/)
        .length,
    ).toBeGreaterThan(0);
  });
});
