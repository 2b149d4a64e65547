/**
 * The tab asks for the environments once per render, and its visibility rule is the one the
 * new system's `filter` and legacy apps' `EntityLayout.Route if` use.
 */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Entity } from '@backstage/catalog-model';
import { ApimCredentialsFrontendApi } from '../../api';
import {
  credentialsChanging,
  entity,
  fakeApi,
  mappedCredentials,
  removedResult,
  unmappedCredentials,
} from '../../testing/fixtures';
import { renderEntityTab } from '../../testing/__testUtils__/render';

jest.setTimeout(30_000);

function renderTab(api: ApimCredentialsFrontendApi, subject: Entity = entity) {
  return renderEntityTab(api, { entity: subject });
}

describe('ApimCredentialsEntityContent', () => {
  it('makes one GET /environments for all its cards, also when they refresh after a change', async () => {
    const getEntityCredentials = credentialsChanging(
      mappedCredentials,
      unmappedCredentials,
    );
    const api = fakeApi({
      getEntityCredentials,
      unprovision: jest.fn().mockResolvedValue(removedResult()),
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
