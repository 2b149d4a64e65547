import { screen, within } from '@testing-library/react';
import type { Entity } from '@backstage/catalog-model';
import { checkApplicationName } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { ApimCredentialsFrontendApi } from '../../api';
import { entity, fakeApi, mappedCredentials } from '../../testing/fixtures';
import { renderEntityTab } from '../../testing/__testUtils__/render';

jest.setTimeout(30_000);

function renderTab(api: ApimCredentialsFrontendApi, shown: Entity = entity) {
  return renderEntityTab(api, { entity: shown });
}

const annotated = (name: string): Entity => ({
  ...entity,
  metadata: {
    ...entity.metadata,
    annotations: { 'wso2.com/apim-application': name },
  },
});

describe('entity tab: issue 12 items 2 and 3', () => {
  it.each([[' orders-app'], ['orders-app '], ['o'.repeat(101)]])(
    "shows the backend's message for the name %j without asking the backend",
    async name => {
      const api = fakeApi();
      renderTab(api, annotated(name));
      const expected = checkApplicationName(name)!.message;
      expect(
        await screen.findByText(/will not accept this application name/),
      ).toBeInTheDocument();
      expect(screen.getByText(expected)).toBeInTheDocument();
      expect(api.getEntityCredentials).not.toHaveBeenCalled();
    },
  );

  it('loads the cards for a name with inner spaces', async () => {
    const api = fakeApi();
    renderTab(api, annotated('Case Inner Spaces EU'));
    expect(
      await screen.findByTestId('environment-card-sandbox'),
    ).toBeInTheDocument();
    expect(api.getEntityCredentials).toHaveBeenCalled();
  });

  it('shows a mapping of a disabled key manager as mapped, saying so, and removable', async () => {
    const [sandbox, production] = mappedCredentials.environments;
    const api = fakeApi({
      getEntityCredentials: jest.fn().mockResolvedValue({
        ...mappedCredentials,
        environments: [
          {
            ...sandbox,
            mappings: sandbox.mappings.map(m =>
              m.keyManager === 'IS' ? { ...m, keyManagerDisabled: true } : m,
            ),
          },
          production,
        ],
      }),
    });
    renderTab(api);
    const card = await screen.findByTestId('environment-card-sandbox');
    const row = within(card).getByTestId('mapping-row-IS');
    expect(within(row).getByText('mapped')).toBeInTheDocument();
    expect(within(row).queryByText('drifted')).toBeNull();
    expect(within(row).getByTestId('key-manager-disabled')).toHaveTextContent(
      'key manager disabled in API-M',
    );
    expect(within(row).getByRole('button', { name: /remove/i })).toBeEnabled();
  });
});
