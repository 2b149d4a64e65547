import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  entityRef,
  environments,
  fakeApi,
  provisionResult,
  responseError,
} from '../../testing/fixtures';
import { renderWithApi } from '../../testing/__testUtils__/render';
import { ProvideKeysDialog } from './ProvideKeysDialog';

jest.setTimeout(30_000);

const sandbox = environments[0];

function renderDialog(api = fakeApi()) {
  const onClose = jest.fn();
  const onProvisioned = jest.fn();
  renderWithApi(
    <ProvideKeysDialog
      entityRef={entityRef}
      environment={sandbox}
      keyManagers={sandbox.keyManagers}
      initialKeyManager="IS"
      onClose={onClose}
      onProvisioned={onProvisioned}
    />,
    { api },
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
    const result = provisionResult();
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
      'SLOT_TAKEN' as const,
      'Another client is already mapped for WSO2 Identity Server',
    ],
    [
      503,
      'ServiceUnavailableError',
      'API-M instance local did not answer within 15 s',
      'APIM_TIMEOUT' as const,
      'API-M is not available',
    ],
    [
      502,
      'ServiceUnavailableError',
      'The key manager IS timed out',
      undefined,
      'API-M or the key manager is not available',
    ],
  ])(
    'shows the failure on %i by its code and keeps the secret for a retry',
    async (status, name, message, code, title) => {
      const error = await responseError(status, name, message, code);
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
      expect(secretField().value).toBe('s3cret');
      expect(keyField().value).toBe('orders-sandbox-client');
    },
  );

  it.each([
    [true, 'WSO2 Identity Server rejected these credentials'],
    [
      false,
      'API-M refused the client: WSO2 Identity Server did not accept these credentials',
    ],
  ])(
    'names the key manager when it refuses the credentials (verify first: %s) and drops the secret',
    async (verify, title) => {
      const error = await responseError(
        400,
        'InputError',
        'Verification failed: the key manager does not know this consumer key, or the consumer secret is wrong',
        'VERIFICATION_FAILED',
      );
      renderDialog(fakeApi({ provision: jest.fn().mockRejectedValue(error) }));
      await userEvent.type(await screen.findByLabelText(/consumer key/i), 'k');
      await userEvent.type(secretField(), 'wrong');
      if (!verify) {
        await userEvent.click(
          screen.getByRole('checkbox', { name: /verify first/i }),
        );
      }
      await userEvent.click(
        screen.getByRole('button', { name: 'Provide keys' }),
      );
      const alert = await screen.findByRole('alert');
      // A short first line, the details below it.
      expect(within(alert).getByText(title)).toBeInTheDocument();
      expect(alert).toHaveTextContent('does not know this consumer key');
      expect(secretField().value).toBe('');
      expect(
        screen.getByText('Enter the secret again to retry'),
      ).toBeInTheDocument();
    },
  );

  it('trims whitespace around pasted credentials', async () => {
    const { api } = renderDialog(
      fakeApi({ provision: jest.fn().mockResolvedValue({}) }),
    );
    await userEvent.click(await screen.findByLabelText(/consumer key/i));
    await userEvent.paste('  pasted-key\n');
    await userEvent.click(secretField());
    await userEvent.paste('pasted-secret ');
    expect(keyField().value).toBe('pasted-key');
    expect(secretField().value).toBe('pasted-secret');
    expect(
      screen.getByText('Spaces around the pasted secret were removed'),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Provide keys' }));
    await waitFor(() => expect(api.provision).toHaveBeenCalled());
    expect(api.provision.mock.calls[0][1]).toMatchObject({
      consumerKey: 'pasted-key',
      consumerSecret: 'pasted-secret',
    });
  });

  it('warns when a typed secret ends with a space', async () => {
    renderDialog();
    await userEvent.type(
      await screen.findByLabelText(/consumer secret/i),
      'abc ',
    );
    expect(
      screen.getByText(/The secret starts or ends with a space/),
    ).toBeInTheDocument();
  });

  it('focuses its first field and says what it is doing while it works', async () => {
    renderDialog(
      fakeApi({ provision: jest.fn().mockReturnValue(new Promise(() => {})) }),
    );
    await waitFor(() =>
      expect(screen.getByRole('button', { name: /Key manager/ })).toHaveFocus(),
    );
    await userEvent.type(screen.getByLabelText(/consumer key/i), 'k');
    await userEvent.type(secretField(), 's');
    await userEvent.click(screen.getByRole('button', { name: 'Provide keys' }));
    expect(await screen.findByRole('status')).toHaveTextContent(
      'Verifying with WSO2 Identity Server and mapping into',
    );
  });
});
