/**
 * Step 4 guidance (issue 16): next to the token command, one call per subscribed API at the
 * gateway URL API-M reports, with placeholders for the token and never the secret.
 */
import { screen, waitFor, within } from '@testing-library/react';
import type { EntitySubscriptions } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { fakeApi } from '../../testing/fixtures';
import { renderWithApi } from '../../testing/__testUtils__/render';
import { TokenSnippetDialog } from './TokenSnippetDialog';

const REF = 'component:default/orders-service';
const SUBSCRIPTIONS: EntitySubscriptions = {
  entityRef: REF,
  declared: ['api:default/payments-api'],
  environments: [
    {
      environment: 'sandbox',
      application: { applicationId: 'app-1', name: 'orders-service' },
      subscribed: [
        {
          apiRef: 'api:default/payments-api',
          apiId: 'p1',
          name: 'PaymentsAPI',
          version: '1.0.0',
          subscriptionId: 's1',
          tier: 'Gold',
          status: 'UNBLOCKED',
          gatewayUrl: 'https://gw.example:8243/payments/1.0.0',
        },
      ],
      missing: [],
      undeclared: [
        {
          apiId: 'o1',
          name: 'OrdersAPI',
          version: '1.0.0',
          subscriptionId: 's2',
          tier: 'Unlimited',
          status: 'ON_HOLD',
          gatewayUrl: 'https://gw.example:8243/orders/1.0.0',
        },
      ],
      unresolved: [],
    },
  ],
};

async function renderDialog(api = fakeApi()) {
  await renderWithApi(
    <TokenSnippetDialog
      environmentTitle="Sandbox"
      keyManager="IS"
      consumerKey="orders-sandbox-client"
      tokenEndpoint="https://km.example/oauth2/token"
      privateCa
      entityRef={REF}
      environmentId="sandbox"
      onClose={() => {}}
    />,
    { api },
  );
  return screen.findByRole('dialog');
}

describe('the invoke snippets of the token dialog', () => {
  it('calls each subscribed API at the gateway URL API-M reports, with the token as a placeholder', async () => {
    const api = fakeApi({
      getSubscriptions: jest.fn().mockResolvedValue(SUBSCRIPTIONS),
    });
    const dialog = await renderDialog(api);
    const payments = await within(dialog).findByRole('group', {
      name: 'Call PaymentsAPI 1.0.0',
    });
    expect(payments).toHaveTextContent(
      "'https://gw.example:8243/payments/1.0.0/<resource>'",
    );
    expect(payments).toHaveTextContent('Authorization: Bearer ${ACCESS_TOKEN}');
    expect(payments).toHaveTextContent("ACCESS_TOKEN='<access_token>'");
    expect(payments).toHaveTextContent('--cacert');
    // A subscription the gateway refuses says so.
    const orders = within(dialog).getByRole('group', {
      name: 'Call OrdersAPI 1.0.0',
    });
    expect(orders).toHaveTextContent(/waits for approval/);
    expect(api.getSubscriptions).toHaveBeenCalledWith(REF, {
      environment: 'sandbox',
    });
    // The token command reads the secret at a prompt: only the variable appears.
    await waitFor(() =>
      expect(dialog).toHaveTextContent('client_secret=${CONSUMER_SECRET}'),
    );
    expect(dialog).not.toHaveTextContent('<gateway URL of the API>');
  });

  it('without a subscription: the generic call and where to subscribe', async () => {
    const dialog = await renderDialog();
    expect(
      await within(dialog).findByText(/subscribes to no API here yet/),
    ).toBeInTheDocument();
    expect(dialog).toHaveTextContent('<gateway URL of the API>');
  });
});
