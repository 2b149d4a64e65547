import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type {
  CredentialMapping,
  EnvironmentCredentials,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { ApimCredentialsFrontendApi } from '../../api';
import {
  entityRef,
  fakeApi,
  mappedCredentials,
  provisionResult,
  removedResult,
  responseError,
} from '../../testing/fixtures';
import { renderEnvironmentCard } from '../../testing/__testUtils__/render';
import { typeClient } from '../../testing/__testUtils__/dialogs';

jest.setTimeout(30_000);

const mappedSandbox = mappedCredentials.environments[0];
const created = provisionResult({
  consumerKey: 'new-client',
  keyMappingId: 'km-map-456',
  auditId: 'a3',
});

function renderCard(
  api: ApimCredentialsFrontendApi,
  credentials: EnvironmentCredentials = mappedSandbox,
) {
  return renderEnvironmentCard(api, credentials);
}

async function openReplace(card: HTMLElement) {
  await userEvent.click(
    within(within(card).getByTestId('mapping-row-IS')).getByRole('button', {
      name: 'Replace client orders-sandbox-client of WSO2 Identity Server in Sandbox…',
    }),
  );
  const dialog = await screen.findByRole('dialog');
  await typeClient(dialog, 'new-client', 'n3w');
  return dialog;
}

const secretOf = (dialog: HTMLElement) =>
  (within(dialog).getByLabelText(/consumer secret/i) as HTMLInputElement).value;

describe('Replace client (issue 15 item 3)', () => {
  it('verifies the new client, removes the old mapping by its key, then maps the new one', async () => {
    const calls: string[] = [];
    const api = fakeApi({
      verify: jest.fn().mockImplementation(async () => {
        calls.push('verify');
        return { ok: true };
      }),
      unprovision: jest.fn().mockImplementation(async () => {
        calls.push('unprovision');
        return { status: 'removed' };
      }),
      provision: jest.fn().mockImplementation(async () => {
        calls.push('provision');
        return created;
      }),
    });
    const { card } = await renderCard(api);
    const dialog = await openReplace(card);
    expect(within(dialog).getByTestId('replace-notice')).toHaveTextContent(
      'Client orders-sandbox-client is mapped for WSO2 Identity Server now',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Replace client' }),
    );
    expect(await within(card).findByRole('status')).toHaveTextContent(
      'Client new-client is now mapped in Sandbox (IS), replacing orders-sandbox-client.',
    );
    expect(calls).toEqual(['verify', 'unprovision', 'provision']);
    expect(api.unprovision).toHaveBeenCalledWith({
      entityRef,
      environment: 'sandbox',
      keyManager: 'IS',
      consumerKey: 'orders-sandbox-client',
    });
    expect(api.verify).toHaveBeenCalledWith(
      expect.objectContaining({ entityRef, consumerKey: 'new-client' }),
    );
  });

  it('changes nothing and drops the secret when the key manager refuses the new client', async () => {
    const api = fakeApi({
      verify: jest.fn().mockResolvedValue({
        ok: false,
        code: 'VERIFICATION_FAILED',
        message:
          'Verification failed: the key manager does not know this consumer key, or the consumer secret is wrong',
      }),
    });
    const { card } = await renderCard(api);
    const dialog = await openReplace(card);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Replace client' }),
    );
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent(
      'WSO2 Identity Server rejected these credentials',
    );
    expect(alert).toHaveTextContent(
      'Nothing changed: orders-sandbox-client is still mapped in Sandbox (WSO2 Identity Server).',
    );
    expect(api.unprovision).not.toHaveBeenCalled();
    expect(api.provision).not.toHaveBeenCalled();
    expect(secretOf(dialog)).toBe('');
  });

  it('says the old mapping is gone when mapping the new one fails, and keeps the secret', async () => {
    const api = fakeApi({
      verify: jest.fn().mockResolvedValue({ ok: true }),
      unprovision: jest.fn().mockResolvedValue({ status: 'removed' }),
      provision: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            504,
            'ServiceUnavailableError',
            'API-M instance local did not answer within 15 s',
            'APIM_TIMEOUT',
          ),
        ),
    });
    const { card, onChanged } = await renderCard(api);
    const dialog = await openReplace(card);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Replace client' }),
    );
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('API-M is not available');
    expect(alert).toHaveTextContent(
      'The mapping of orders-sandbox-client was removed from Sandbox (WSO2 Identity Server), but mapping new-client failed: nothing is mapped there now.',
    );
    expect(alert).toHaveTextContent('did not answer within 15 s');
    expect(onChanged).toHaveBeenCalled();
    // Not an authentication failure: the secret stays for the retry, now a plain provide.
    expect(secretOf(dialog)).toBe('n3w');
    expect(
      within(dialog).getByRole('button', { name: 'Provide keys' }),
    ).toBeInTheDocument();
  });
});

describe('What the backend returns, on the card', () => {
  it.each([
    ['CREATED', 'tokens will be refused until API-M approves the application'],
    ['REJECTED', 'API-M rejected application orders-app'],
  ])('application status %s', async (status, text) => {
    const { card } = await renderCard(fakeApi(), {
      ...mappedSandbox,
      application: { id: 'app-1', name: 'orders-app', status },
    });
    expect(within(card).getByTestId('application-status')).toHaveTextContent(
      text,
    );
  });

  it('shows no status notice for an approved application', async () => {
    const { card } = await renderCard(fakeApi(), {
      ...mappedSandbox,
      application: { id: 'app-1', name: 'orders-app', status: 'APPROVED' },
    });
    expect(within(card).queryByTestId('application-status')).toBeNull();
  });

  it('shows the 4.2 clean-up warning after a removal', async () => {
    const warning =
      'API-M 4.2 removed the mapping without telling its gateways: they keep accepting the client until they resync; revoke its tokens in the key manager.';
    const api = fakeApi({
      unprovision: jest
        .fn()
        .mockResolvedValue(removedResult({ auditId: 'a4', warning })),
    });
    const { card } = await renderCard(api);
    await userEvent.click(
      within(card).getByRole('button', {
        name: /^Remove orders-sandbox-client/,
      }),
    );
    await userEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Remove mapping',
      }),
    );
    const status = await within(card).findByRole('status');
    expect(status).toHaveTextContent('was removed from Sandbox');
    expect(within(status).getByTestId('result-warning')).toHaveTextContent(
      warning,
    );
  });

  it.each([
    [
      'APPLICATION_BOUND_ELSEWHERE' as const,
      'API-M application "orders-app" in instance "local" belongs to component:default/billing.',
      'API-M application orders-app belongs to another entity',
    ],
    [
      'APPLICATION_NOT_BOUND' as const,
      'API-M application "orders-app" in instance "local" already exists and is bound to no entity.',
      'API-M application orders-app is not bound to component:default/orders-service',
    ],
  ])('explains %s and whom to ask', async (code, message, title) => {
    const api = fakeApi({
      provision: jest
        .fn()
        .mockRejectedValue(
          await responseError(403, 'NotAllowedError', message, code),
        ),
    });
    await renderCard(api);
    await userEvent.click(
      screen.getByRole('button', {
        name: 'Provide existing OAuth keys for Sandbox',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    await typeClient(dialog, 'abc', 'def');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Provide keys' }),
    );
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent(title);
    expect(alert).toHaveTextContent(message);
    expect(alert).toHaveTextContent(
      `ask the platform team (apim.applications.bind) to bind orders-app to ${entityRef}`,
    );
    expect(secretOf(dialog)).toBe('def');
  });

  it('says when providing will create the API-M application (item 12)', async () => {
    await renderCard(fakeApi(), {
      ...mappedSandbox,
      application: null,
      mappings: mappedSandbox.mappings.map(m => ({ ...m, state: 'unmapped' })),
    });
    await userEvent.click(
      screen.getByRole('button', {
        name: 'Provide existing OAuth keys for Sandbox',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByTestId('creates-application')).toHaveTextContent(
      'API-M has no application orders-app in Sandbox yet: providing creates it',
    );
  });
});

describe('Drift has a next step (item 11)', () => {
  const drifted: CredentialMapping = {
    ...mappedSandbox.mappings[1],
    state: 'drifted',
    provisionedBy: undefined,
    provisionedAt: undefined,
  };

  it('shows the reason, offers remove stale record and provide again, and no token', async () => {
    const { card } = await renderCard(fakeApi(), {
      ...mappedSandbox,
      mappings: [mappedSandbox.mappings[0], drifted],
    });
    const row = within(card).getByTestId('mapping-row-IS');
    expect(within(row).getByTestId('drift-reason')).toHaveTextContent(
      'Backstage recorded client orders-sandbox-client here, but API-M no longer holds that mapping',
    );
    expect(
      within(row).queryByRole('button', { name: /Get a token/ }),
    ).toBeNull();
    expect(
      within(row).getByRole('button', {
        name: 'Remove stale record of WSO2 Identity Server in Sandbox',
      }),
    ).toBeInTheDocument();
    await userEvent.click(
      within(row).getByRole('button', {
        name: 'Provide again for WSO2 Identity Server in Sandbox',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByLabelText(/consumer key/i)).toHaveValue(
      'orders-sandbox-client',
    );
    expect(within(dialog).getByLabelText(/consumer secret/i)).toHaveValue('');
  });
});

describe('Token guidance (item 8)', () => {
  async function openToken(mapping: Partial<CredentialMapping>) {
    const { card } = await renderCard(fakeApi(), {
      ...mappedSandbox,
      mappings: [
        mappedSandbox.mappings[0],
        { ...mappedSandbox.mappings[1], ...mapping },
      ],
    });
    await userEvent.click(
      within(card).getByRole('button', {
        name: 'Get a token for orders-sandbox-client from WSO2 Identity Server in Sandbox',
      }),
    );
    return screen.findByRole('dialog');
  }

  it('names environment and client, and continues to the gateway call', async () => {
    const dialog = await openToken({});
    expect(
      within(dialog).getByRole('heading', {
        name: 'Get a token for orders-sandbox-client in Sandbox (WSO2 Identity Server)',
      }),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(dialog).toHaveTextContent('grant_type=client_credentials'),
    );
    expect(dialog).toHaveTextContent('Authorization: Bearer ${ACCESS_TOKEN}');
    expect(dialog).toHaveTextContent('<gateway URL of the API>');
  });

  it('offers no client_credentials command for a client without that grant', async () => {
    const dialog = await openToken({ grantTypes: ['authorization_code'] });
    expect(
      within(dialog).getByTestId('no-client-credentials'),
    ).toHaveTextContent('its grant types: authorization_code');
    expect(dialog).not.toHaveTextContent('grant_type=client_credentials');
  });
});
