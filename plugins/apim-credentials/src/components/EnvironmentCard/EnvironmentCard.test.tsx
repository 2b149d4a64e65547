import { screen, within } from '@testing-library/react';
import type {
  CredentialMapping,
  EnvironmentCredentials,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { fakeApi, unmappedCredentials } from '../../testing/fixtures';
import { renderEnvironmentCard } from '../../testing/__testUtils__/render';

const [sandboxCredentials] = unmappedCredentials.environments;

function row(
  keyManager: string,
  state: CredentialMapping['state'],
  extra: Partial<CredentialMapping> = {},
): CredentialMapping {
  return {
    environment: 'sandbox',
    keyManager,
    keyType: 'SANDBOX',
    state,
    ...extra,
  };
}

async function renderCard(credentials: EnvironmentCredentials | undefined) {
  return (await renderEnvironmentCard(fakeApi(), credentials)).card;
}

function rowNames(card: HTMLElement) {
  return within(card)
    .queryAllByTestId(/^mapping-row-/)
    .map(r => r.getAttribute('data-testid')!.replace('mapping-row-', ''));
}

describe('EnvironmentCard shows the backend’s rows', () => {
  it('in the backend’s order, with the key managers’ titles from /environments', async () => {
    const card = await renderCard({
      ...sandboxCredentials,
      mappings: [
        row('IS', 'unmapped'),
        row('Resident Key Manager', 'unmapped'),
      ],
    });
    expect(rowNames(card)).toEqual(['IS', 'Resident Key Manager']);
    expect(
      within(within(card).getByTestId('mapping-row-IS')).getByText(
        'WSO2 Identity Server',
      ),
    ).toBeInTheDocument();
  });

  it('adds no row the backend did not list, even for a key manager offered in /environments', async () => {
    const card = await renderCard({
      ...sandboxCredentials,
      mappings: [row('IS', 'unmapped')],
    });
    expect(rowNames(card)).toEqual(['IS']);
  });

  it('shows a row for a key manager /environments does not know, by its name', async () => {
    const card = await renderCard({
      ...sandboxCredentials,
      mappings: [
        row('Okta', 'drifted', {
          consumerKey: 'okta-client',
          keyMappingId: 'map-9',
        }),
      ],
    });
    expect(rowNames(card)).toEqual(['Okta']);
    const okta = within(card).getByTestId('mapping-row-Okta');
    expect(within(okta).getByText('drifted')).toBeInTheDocument();
    expect(within(okta).getByText('okta-client')).toBeInTheDocument();
    expect(
      within(okta).getByRole('button', {
        name: 'Remove stale record of Okta in Sandbox',
      }),
    ).not.toHaveAttribute('aria-disabled');
  });

  it('shows the state the backend computed (no re-derivation from other rows)', async () => {
    const card = await renderCard({
      ...sandboxCredentials,
      mappings: [
        row('IS', 'generated', { consumerKey: 'made-in-apim' }),
        row('Resident Key Manager', 'unmapped'),
      ],
    });
    const is = within(card).getByTestId('mapping-row-IS');
    expect(within(is).getByText('generated')).toBeInTheDocument();
  });

  it('says why there are no rows when API-M could not be read, and nothing else', async () => {
    const card = await renderCard({
      ...sandboxCredentials,
      application: null,
      mappings: [],
      error: 'API-M at local did not answer',
    });
    expect(
      within(card).getByText('API-M at local did not answer'),
    ).toBeInTheDocument();
    expect(rowNames(card)).toEqual([]);
    expect(
      within(card).queryByText(/No key manager of this environment/),
    ).toBeNull();
  });
});

describe('EnvironmentCard opens the provide dialog from a link (issue 14 item 3)', () => {
  async function renderAt(url: string) {
    await renderEnvironmentCard(fakeApi(), sandboxCredentials, { url });
  }

  it('pre-fills key manager and consumer key, never a secret', async () => {
    await renderAt('/?provide=sandbox&keyManager=IS&consumerKey=linked-client');
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByLabelText(/Consumer key/)).toHaveValue(
      'linked-client',
    );
    expect(within(dialog).getByLabelText(/Consumer secret/)).toHaveValue('');
    expect(
      within(dialog).getByText('WSO2 Identity Server'),
    ).toBeInTheDocument();
  });

  it('stays closed when the link names another environment', async () => {
    await renderAt('/?provide=production&keyManager=IS&consumerKey=x');
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});
