import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { apimCredentialsApiRef } from '../../api';
import {
  entityRef,
  environments,
  fakeApi,
  responseError,
} from '../../testing/fixtures';
import { ProvideKeysDialog } from './ProvideKeysDialog';

const sandbox = environments[0];

function renderDialog(api = fakeApi()) {
  const onClose = jest.fn();
  const onProvisioned = jest.fn();
  renderInTestApp(
    <ProvideKeysDialog
      entityRef={entityRef}
      environment={sandbox}
      keyManagers={sandbox.keyManagers}
      initialKeyManager="IS"
      onClose={onClose}
      onProvisioned={onProvisioned}
    />,
    { apis: [[apimCredentialsApiRef, api]] },
  );
  return { api, onClose, onProvisioned };
}

const secretField = () =>
  screen.getByLabelText(/consumer secret/i) as HTMLInputElement;
const keyField = () =>
  screen.getByLabelText(/consumer key/i) as HTMLInputElement;

describe('ProvideKeysDialog', () => {
  it('shows inline field errors and calls nothing when the input is invalid', async () => {
    const { api } = renderDialog();
    await userEvent.click(
      await screen.findByRole('button', { name: 'Provide keys' }),
    );

    expect(
      await screen.findByText('Consumer key must not be empty'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Consumer secret must not be empty'),
    ).toBeInTheDocument();

    await userEvent.type(keyField(), 'has space');
    await userEvent.type(secretField(), 's3cret');
    await userEvent.click(screen.getByRole('button', { name: 'Provide keys' }));
    expect(
      await screen.findByText('Consumer key must not contain whitespace'),
    ).toBeInTheDocument();
    expect(
      screen.queryByText('Consumer secret must not be empty'),
    ).not.toBeInTheDocument();
    expect(api.provision).not.toHaveBeenCalled();
    // Nothing was sent, so the secret is still there to correct the key.
    expect(secretField().value).toBe('s3cret');
  });

  it('masks the secret while typing, with a show toggle', async () => {
    renderDialog();
    await userEvent.type(
      await screen.findByLabelText(/consumer secret/i),
      'top-secret',
    );
    expect(secretField()).toHaveAttribute('type', 'password');
    await userEvent.click(screen.getByRole('button', { name: 'Show secret' }));
    expect(secretField()).toHaveAttribute('type', 'text');
    await userEvent.click(screen.getByRole('button', { name: 'Hide secret' }));
    expect(secretField()).toHaveAttribute('type', 'password');
  });

  it('provisions with "verify first" and hands the result back', async () => {
    const result = {
      status: 'created' as const,
      entityRef,
      environment: 'sandbox',
      keyManager: 'IS',
      keyType: 'SANDBOX' as const,
      applicationId: 'app-1',
      applicationName: 'orders-app',
      consumerKey: 'orders-sandbox-client',
      keyMappingId: 'km-map-123',
      grantTypes: ['client_credentials'],
      auditId: 'audit-1',
    };
    const { api, onProvisioned } = renderDialog(
      fakeApi({ provision: jest.fn().mockResolvedValue(result) }),
    );
    await userEvent.type(
      await screen.findByLabelText(/consumer key/i),
      'orders-sandbox-client',
    );
    await userEvent.type(secretField(), 's3cret');
    expect(
      screen.getByRole('checkbox', { name: /verify first/i }),
    ).toBeChecked();
    await userEvent.click(screen.getByRole('button', { name: 'Provide keys' }));

    await waitFor(() => expect(onProvisioned).toHaveBeenCalledWith(result));
    expect(api.provision).toHaveBeenCalledWith(
      { entityRef, environment: 'sandbox', keyManager: 'IS' },
      {
        consumerKey: 'orders-sandbox-client',
        consumerSecret: 's3cret',
        verify: true,
      },
    );
    expect(secretField().value).toBe('');
  });

  it('sends verify: false when "verify first" is unticked', async () => {
    const { api } = renderDialog(
      fakeApi({ provision: jest.fn().mockResolvedValue({}) }),
    );
    await userEvent.type(await screen.findByLabelText(/consumer key/i), 'abc');
    await userEvent.type(secretField(), 'def');
    await userEvent.click(
      screen.getByRole('checkbox', { name: /verify first/i }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Provide keys' }));
    await waitFor(() => expect(api.provision).toHaveBeenCalled());
    expect(api.provision.mock.calls[0][1]).toEqual({
      consumerKey: 'abc',
      consumerSecret: 'def',
      verify: false,
    });
  });

  it.each([
    [
      409,
      'ConflictError',
      'Client other-client is already mapped in sandbox for IS',
      'Conflict',
    ],
    [
      422,
      'InputError',
      'Verification failed: the key manager answered invalid_client',
      'Verification failed',
    ],
    [
      503,
      'ServiceUnavailableError',
      'API-M instance local did not answer within 15 s',
      'API-M or the key manager is not available',
    ],
  ])(
    'shows the backend message on %i and clears the secret',
    async (status, name, message, title) => {
      const error = await responseError(status, name, message);
      renderDialog(fakeApi({ provision: jest.fn().mockRejectedValue(error) }));
      await userEvent.type(
        await screen.findByLabelText(/consumer key/i),
        'orders-sandbox-client',
      );
      await userEvent.type(secretField(), 's3cret');
      await userEvent.click(
        screen.getByRole('button', { name: 'Provide keys' }),
      );

      const alert = await screen.findByRole('alert');
      expect(alert).toHaveTextContent(title);
      expect(alert).toHaveTextContent(message);
      expect(secretField().value).toBe('');
      expect(
        screen.getByText('Enter the secret again to retry'),
      ).toBeInTheDocument();
      // The key stays so the user only retypes the secret.
      expect(keyField().value).toBe('orders-sandbox-client');
    },
  );
});
