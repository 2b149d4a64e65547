import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { Entity } from '@backstage/catalog-model';
import { ApimCredentialsFrontendApi } from '../../api';
import {
  auditRecord,
  entityRef,
  entityWithoutAnnotation,
  environments,
  fakeApi,
  mappedCredentials,
  responseError,
  unmappedCredentials,
} from '../../testing/fixtures';
import {
  renderEntityTab,
  sandboxRow,
} from '../../testing/__testUtils__/render';

jest.setTimeout(30_000);

/** The entity tab with every permission but those in `deny`. */
function renderTab(
  api: ApimCredentialsFrontendApi,
  options: { entity?: Entity; deny?: string[] } = {},
) {
  const deny = options.deny ?? [];
  return renderEntityTab(api, {
    entity: options.entity,
    authorize: request =>
      deny.includes(request.permission.name)
        ? AuthorizeResult.DENY
        : AuthorizeResult.ALLOW,
  });
}

/** Opens the token snippet of the sandbox client (IS). */
async function openTokenDialog() {
  await userEvent.click(
    within(await sandboxRow('IS')).getByRole('button', {
      name: /^Get a token/,
    }),
  );
  return screen.findByRole('dialog');
}

describe('ApimCredentialsEntityContent', () => {
  it('tells how to add the annotation when the entity has none', async () => {
    const api = fakeApi();
    renderTab(api, { entity: entityWithoutAnnotation });
    expect(await screen.findByText(/missing annotation/i)).toBeInTheDocument();
    expect(
      screen.getAllByText(/wso2\.com\/apim-application/).length,
    ).toBeGreaterThan(0);
    expect(api.getEntityCredentials).not.toHaveBeenCalled();
  });

  it('shows the card frames with progress while the credentials load', async () => {
    const api = fakeApi({
      getEntityCredentials: jest.fn().mockReturnValue(new Promise(() => {})),
    });
    renderTab(api);
    const card = await screen.findByTestId('environment-card-sandbox');
    expect(
      within(card).getByRole('progressbar', { name: 'Loading Sandbox' }),
    ).toBeInTheDocument();
    expect(screen.getByTestId('environment-card-production')).toBeVisible();
    expect(within(card).queryByTestId(/^mapping-row-/)).not.toBeInTheDocument();
  });

  it('starts reading before the permission check answers', async () => {
    let answer: (result: AuthorizeResult) => void = () => {};
    const pending = new Promise<AuthorizeResult>(resolve => {
      answer = resolve;
    });
    const api = fakeApi();
    renderEntityTab(api, { authorize: () => pending as any });
    await waitFor(() =>
      expect(api.getEntityCredentials).toHaveBeenCalledWith(entityRef),
    );
    answer(AuthorizeResult.ALLOW);
    expect(
      await screen.findByTestId('environment-card-sandbox'),
    ).toBeInTheDocument();
  });

  it("shows the backend's message when loading fails", async () => {
    const error = await responseError(
      503,
      'ServiceUnavailableError',
      'API-M instance local is not reachable: connect ECONNREFUSED 127.0.0.1:9443',
    );
    renderTab(
      fakeApi({ getEntityCredentials: jest.fn().mockRejectedValue(error) }),
    );
    expect(
      await screen.findByText('The API-M credentials could not be loaded', {
        exact: false,
      }),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(/connect ECONNREFUSED 127\.0\.0\.1:9443/).length,
    ).toBeGreaterThan(0);
  });

  it('says so when no environment is configured', async () => {
    renderTab(
      fakeApi({
        getEnvironments: jest.fn().mockResolvedValue([]),
        getEntityCredentials: jest
          .fn()
          .mockResolvedValue({ ...unmappedCredentials, environments: [] }),
      }),
    );
    expect(
      await screen.findByText('No API-M environments are configured'),
    ).toBeInTheDocument();
  });

  it('shows a permission-denied state and none of the data', async () => {
    const api = fakeApi({
      getEntityCredentials: jest.fn().mockResolvedValue(mappedCredentials),
    });
    renderTab(api, { deny: ['apim.credentials.read'] });
    expect(
      await screen.findByText(
        'You may not see the API-M credentials of this entity',
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByTestId('environment-card-sandbox'),
    ).not.toBeInTheDocument();
    expect(screen.queryByText('orders-sandbox-client')).not.toBeInTheDocument();
  });

  it('disables provide and remove with the reason when the user may not provision', async () => {
    renderTab(
      fakeApi({
        getEntityCredentials: jest.fn().mockResolvedValue(mappedCredentials),
      }),
      {
        deny: ['apim.credentials.provision'],
      },
    );
    const sandbox = await screen.findByTestId('environment-card-sandbox');
    const notice = await screen.findByTestId('read-only-notice');
    expect(notice).toHaveTextContent(
      'Only the owners of orders-service (team-a) can provide or remove keys.',
    );
    expect(within(notice).getByRole('link', { name: 'team-a' })).toBeVisible();
    const provide = screen.getByRole('button', {
      name: 'Provide existing OAuth keys for Sandbox',
    });
    // Focusable for keyboard and screen-reader users, and described by the notice.
    expect(provide).toBeEnabled();
    expect(provide).toHaveAttribute('aria-disabled', 'true');
    expect(provide).toHaveAccessibleDescription(
      expect.stringContaining('Only the owners of orders-service'),
    );
    provide.focus();
    expect(provide).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    const row = within(sandbox).getByTestId('mapping-row-IS');
    const remove = within(row).getByRole('button', {
      name: 'Remove orders-sandbox-client from WSO2 Identity Server in Sandbox',
    });
    expect(remove).toHaveAttribute('aria-disabled', 'true');
    remove.focus();
    await userEvent.keyboard('{Enter}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    // Reading is still allowed: the token snippet is not an action on the entity.
    expect(
      within(row).getByRole('button', {
        name: 'Get a token for orders-sandbox-client from WSO2 Identity Server in Sandbox',
      }),
    ).not.toHaveAttribute('aria-disabled');
  });

  it('shows a card per environment in config order with each mapping', async () => {
    const api = fakeApi({
      getEntityCredentials: jest.fn().mockResolvedValue(mappedCredentials),
      getAudit: jest.fn().mockResolvedValue({ items: [auditRecord()] }),
    });
    renderTab(api);
    const cards = await screen.findAllByTestId(/^environment-card-/);
    expect(cards.map(c => c.dataset.testid)).toEqual([
      'environment-card-sandbox',
      'environment-card-production',
    ]);
    expect(
      screen.getByText(
        /SANDBOX keys · instance local · application orders-app/,
      ),
    ).toBeInTheDocument();

    const row = within(cards[0]).getByTestId('mapping-row-IS');
    expect(within(row).getByText('mapped')).toBeInTheDocument();
    expect(within(row).getByText('orders-sandbox-client')).toBeInTheDocument();
    expect(within(row).getByText('km-map-123')).toBeInTheDocument();
    expect(within(row).getByText('client_credentials')).toBeInTheDocument();
    expect(within(row).getByText('guest')).toBeInTheDocument();
    expect(
      within(row).getByRole('button', {
        name: 'Copy consumer key orders-sandbox-client',
      }),
    ).toBeInTheDocument();
    expect(
      within(
        within(cards[0]).getByTestId('mapping-row-Resident Key Manager'),
      ).getByText('unmapped'),
    ).toBeInTheDocument();

    // The entity's audit history, asked for by entity ref.
    const history = await screen.findByTestId('entity-audit-history');
    expect(await within(history).findByText('provision')).toBeInTheDocument();
    expect(api.getAudit).toHaveBeenCalledWith({
      entityRef,
      limit: 10,
      cursor: undefined,
    });
  });

  it('offers a curl snippet for a token with the secret as a placeholder', async () => {
    renderTab(
      fakeApi({
        getEntityCredentials: jest.fn().mockResolvedValue(mappedCredentials),
      }),
    );
    const dialog = await openTokenDialog();
    // The code block's highlighter loads lazily.
    await waitFor(() =>
      expect(dialog).toHaveTextContent('https://localhost:9444/oauth2/token'),
    );
    expect(dialog).toHaveTextContent(
      "--data-urlencode 'client_id=orders-sandbox-client'",
    );
    expect(dialog).toHaveTextContent(
      '--data-urlencode "client_secret=${CONSUMER_SECRET}"',
    );
    expect(dialog).toHaveTextContent('grant_type=client_credentials');
    expect(dialog).toHaveTextContent(/Developer Portal cannot issue tokens/);
    expect(dialog).not.toHaveTextContent('--cacert');
    expect(dialog).not.toHaveTextContent('scope=');
  });

  it("puts the instance's private CA and the key manager's scope into the snippet", async () => {
    renderTab(
      fakeApi({
        getEnvironments: jest.fn().mockResolvedValue(
          environments.map(env => ({
            ...env,
            privateCa: true,
            keyManagers: env.keyManagers.map(km => ({
              ...km,
              tokenRequest: { scope: 'api://orders/.default' },
            })),
          })),
        ),
        getEntityCredentials: jest.fn().mockResolvedValue(mappedCredentials),
      }),
    );
    const dialog = await openTokenDialog();
    await waitFor(() =>
      expect(dialog).toHaveTextContent(
        "--cacert '<path to the CA certificate of API-M>'",
      ),
    );
    expect(dialog).toHaveTextContent(/uses a private certificate authority/);
    expect(dialog).toHaveTextContent(
      "--data-urlencode 'scope=api://orders/.default'",
    );
  });

  it('shows an environment whose API-M cannot be read, and blocks providing there', async () => {
    renderTab(
      fakeApi({
        getEnvironments: jest.fn().mockResolvedValue([
          {
            ...environments[0],
            keyManagers: [],
            error: 'API-M timed out after 15 s',
          },
          environments[1],
        ]),
      }),
    );
    const card = await screen.findByTestId('environment-card-sandbox');
    expect(
      within(card).getByText('API-M timed out after 15 s'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', {
        name: 'Provide existing OAuth keys for Sandbox',
      }),
    ).toHaveAttribute('aria-disabled', 'true');
    expect(
      screen.getByRole('button', {
        name: 'Provide existing OAuth keys for Production',
      }),
    ).not.toHaveAttribute('aria-disabled');
  });
});
