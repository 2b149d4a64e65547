import { ReactNode } from 'react';
import { SWRConfig } from 'swr';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { apimCredentialsApiRef, ApimCredentialsFrontendApi } from '../../api';
import {
  auditRecord,
  fakeApi,
  mappingRecord,
  responseError,
} from '../../testing/fixtures';
import { ApimCredentialsPlatformContent } from './ApimCredentialsPlatformContent';

function renderPage(
  api: ApimCredentialsFrontendApi,
  authorize:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) {
  return renderInTestApp(
    <FreshPermissionCache>
      <ApimCredentialsPlatformContent />
    </FreshPermissionCache>,
    {
      apis: [[apimCredentialsApiRef, api], mockApis.permission({ authorize })],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

jest.setTimeout(30_000);

/**
 * `usePermission` caches its answers in SWR's global cache, which outlives a test; a fresh cache
 * per render keeps one test's permission answers out of the next.
 */
function FreshPermissionCache(props: { children: ReactNode }) {
  return (
    <SWRConfig value={{ provider: () => new Map() }}>
      {props.children}
    </SWRConfig>
  );
}

describe('ApimCredentialsPlatformContent', () => {
  it('lists the mappings with links to the entities, and filters them', async () => {
    const api = fakeApi({
      getMappings: jest.fn().mockResolvedValue({ items: [mappingRecord] }),
    });
    renderPage(api);
    expect(
      await screen.findByText('orders-sandbox-client', undefined, {
        timeout: 5000,
      }),
    ).toBeInTheDocument();
    const link = screen.getByRole('link', { name: 'orders-service' });
    expect(link).toHaveAttribute(
      'href',
      '/catalog/default/component/orders-service',
    );
    expect(api.getMappings).toHaveBeenLastCalledWith({
      limit: 25,
      cursor: undefined,
    });

    await userEvent.click(screen.getByLabelText('Environment'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Sandbox' }),
    );
    await userEvent.click(screen.getByLabelText('Key manager'));
    await userEvent.click(await screen.findByRole('option', { name: 'IS' }));
    await userEvent.type(screen.getByLabelText('Entity'), 'orders-service');
    await userEvent.click(
      screen.getByRole('button', { name: 'Apply filters' }),
    );
    await waitFor(() =>
      expect(api.getMappings).toHaveBeenLastCalledWith({
        environment: 'sandbox',
        keyManager: 'IS',
        entityRef: 'component:default/orders-service',
        limit: 25,
        cursor: undefined,
      }),
    );
  });

  it('finds who holds a consumer key (issue 14 item 3)', async () => {
    const api = fakeApi({
      getMappings: jest.fn().mockResolvedValue({ items: [mappingRecord] }),
    });
    renderPage(api);
    await userEvent.type(
      await screen.findByLabelText('Consumer key'),
      '  orders-sandbox-client ',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Apply filters' }),
    );
    await waitFor(() =>
      expect(api.getMappings).toHaveBeenLastCalledWith({
        consumerKey: 'orders-sandbox-client',
        limit: 25,
        cursor: undefined,
      }),
    );
  });

  it('says when nothing is mapped', async () => {
    renderPage(fakeApi());
    expect(
      await screen.findByText('No client is mapped yet.'),
    ).toBeInTheDocument();
  });

  it("shows the backend's message when the mappings fail to load", async () => {
    const error = await responseError(
      400,
      'InputError',
      'entityRef must be a full entity ref',
    );
    renderPage(fakeApi({ getMappings: jest.fn().mockRejectedValue(error) }));
    expect(
      (await screen.findAllByText(/entityRef must be a full entity ref/))
        .length,
    ).toBeGreaterThan(0);
  });

  it('pages the audit log by cursor, filters it and exports it as CSV', async () => {
    const getAudit = jest
      .fn()
      .mockResolvedValueOnce({
        items: [auditRecord({ id: 'a1' })],
        nextCursor: 'c2',
      })
      .mockResolvedValueOnce({
        items: [
          auditRecord({
            id: 'a2',
            action: 'unprovision',
            actor: 'user:default/jane',
          }),
        ],
      })
      .mockResolvedValue({ items: [] });
    const exportAuditCsv = jest.fn().mockResolvedValue(new Blob(['id\n']));
    const api = fakeApi({ getAudit, exportAuditCsv });
    const createObjectURL = jest.fn(() => 'blob:csv');
    Object.assign(URL, { createObjectURL, revokeObjectURL: jest.fn() });
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(() => {});

    renderPage(api);
    await userEvent.click(
      await screen.findByRole('tab', { name: 'Audit log' }),
    );
    expect(await screen.findByText('provision')).toBeInTheDocument();
    expect(getAudit).toHaveBeenLastCalledWith({ limit: 50, cursor: undefined });

    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('unprovision')).toBeInTheDocument();
    expect(getAudit).toHaveBeenLastCalledWith({ limit: 50, cursor: 'c2' });
    expect(screen.getByText('Page 2')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled();

    const filters = screen.getByRole('form', { name: 'Audit filters' });
    await userEvent.type(within(filters).getByLabelText('Actor'), 'jane');
    await userEvent.click(within(filters).getByLabelText('Outcome'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'failed' }),
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Apply filters' }),
    );
    await waitFor(() =>
      expect(getAudit).toHaveBeenLastCalledWith({
        actor: 'user:default/jane',
        outcome: 'failed',
        limit: 50,
        cursor: undefined,
      }),
    );
    expect(
      await screen.findByText('No audit record matches these filters.'),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    await waitFor(() => expect(click).toHaveBeenCalled());
    expect(exportAuditCsv).toHaveBeenCalledWith({
      actor: 'user:default/jane',
      outcome: 'failed',
    });
    expect(createObjectURL).toHaveBeenCalled();
    click.mockRestore();
  });

  it('shows why the CSV export failed', async () => {
    const error = await responseError(
      403,
      'NotAllowedError',
      'Not allowed to export the audit log',
    );
    renderPage(fakeApi({ exportAuditCsv: jest.fn().mockRejectedValue(error) }));
    await userEvent.click(
      await screen.findByRole('tab', { name: 'Audit log' }),
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Export CSV' }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The CSV export failed: Not allowed to export the audit log',
    );
  });
  it('refuses without apim.audit.read', async () => {
    const api = fakeApi();
    renderPage(api, AuthorizeResult.DENY);
    expect(
      await screen.findByText(
        'You may not see the API-M credentials audit log',
      ),
    ).toBeInTheDocument();
    expect(api.getMappings).not.toHaveBeenCalled();
  });
});
