/**
 * The entity tab's changes: providing a client and removing a mapping, each read back into the
 * card afterwards.
 */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  credentialsChanging,
  entityRef,
  fakeApi,
  mappedCredentials,
  provisionResult,
  removedResult,
  unmappedCredentials,
} from '../../testing/fixtures';
import {
  renderEntityTab,
  sandboxRow,
} from '../../testing/__testUtils__/render';
import { typeClient } from '../../testing/__testUtils__/dialogs';

jest.setTimeout(30_000);

describe('ApimCredentialsEntityContent changes', () => {
  it('provides keys and updates the card', async () => {
    const getEntityCredentials = credentialsChanging(
      unmappedCredentials,
      mappedCredentials,
    );
    const api = fakeApi({
      getEntityCredentials,
      provision: jest
        .fn()
        .mockResolvedValue(provisionResult({ auditId: 'a1' })),
    });
    renderEntityTab(api);
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Provide existing OAuth keys for Sandbox',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    // The first offered key manager is preselected.
    expect(
      within(dialog).getByText('Resident Key Manager'),
    ).toBeInTheDocument();
    await userEvent.click(within(dialog).getByLabelText(/key manager/i));
    await userEvent.click(
      await screen.findByRole('option', { name: 'WSO2 Identity Server' }),
    );
    await typeClient(dialog, 'orders-sandbox-client', 's3cret');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Provide keys' }),
    );

    expect(await screen.findByRole('status')).toHaveTextContent(
      'Client orders-sandbox-client is now mapped in Sandbox (IS).',
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    const row = await sandboxRow('IS');
    expect(await within(row).findByText('km-map-123')).toBeInTheDocument();
    expect(api.provision).toHaveBeenCalledWith(
      { entityRef, environment: 'sandbox', keyManager: 'IS' },
      {
        consumerKey: 'orders-sandbox-client',
        consumerSecret: 's3cret',
        verify: true,
      },
    );
    expect(getEntityCredentials).toHaveBeenCalledTimes(2);
    expect(api.getAudit).toHaveBeenCalledTimes(2);
  });

  it('removes a mapping after a confirmation that says what happens', async () => {
    const api = fakeApi({
      getEntityCredentials: credentialsChanging(
        mappedCredentials,
        unmappedCredentials,
      ),
      unprovision: jest.fn().mockResolvedValue(removedResult()),
    });
    renderEntityTab(api);
    const row = await sandboxRow('IS');
    await userEvent.click(
      within(row).getByRole('button', { name: /^Remove / }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent(
      'The mapping of client orders-sandbox-client goes',
    );
    expect(dialog).toHaveTextContent(
      'The client itself stays in its key manager (WSO2 Identity Server)',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Remove mapping' }),
    );
    expect(await screen.findByRole('status')).toHaveTextContent(
      'The mapping of orders-sandbox-client was removed from Sandbox (IS).',
    );
    // The row's buttons are gone: focus lands on the card, not the top of the page.
    await waitFor(() =>
      expect(screen.getByTestId('environment-card-sandbox')).toHaveFocus(),
    );
    // The dialog names the client it removes; the backend leaves any other alone.
    expect(api.unprovision).toHaveBeenCalledWith({
      entityRef,
      environment: 'sandbox',
      keyManager: 'IS',
      consumerKey: 'orders-sandbox-client',
    });
    await waitFor(() =>
      expect(
        within(
          within(screen.getByTestId('environment-card-sandbox')).getByTestId(
            'mapping-row-IS',
          ),
        ).getByText('unmapped'),
      ).toBeInTheDocument(),
    );
  });
});
