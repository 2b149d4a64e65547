import {
  act,
  configure,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { AuditQuery } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import {
  auditRecord,
  fakeApi,
  mappingRecord,
  responseError,
} from '../../testing/fixtures';
import { renderPage } from './__testUtils__/testPage';

jest.setTimeout(60_000);
// The tables re-render their rows when a tab's count arrives, so a found element may be replaced
// a moment later: assertions find (findBy*) rather than hold on to elements.
// Four tables on a busy two-core machine: the first rows can take seconds to render.
configure({ asyncUtilTimeout: 10_000 });

const location = () => screen.getByTestId('location').textContent ?? '';

describe('ApimCredentialsPlatformContent', () => {
  it('lists the mappings by display title, with links to the entities, and filters them', async () => {
    const api = fakeApi({
      getMappings: jest.fn().mockResolvedValue({ items: [mappingRecord] }),
    });
    await renderPage(api);
    await screen.findByText('orders-sandbox-client');
    // Display titles (issue 15 item 6), not `sandbox (SANDBOX)` / `IS`.
    await screen.findByText('Sandbox');
    await screen.findByText('WSO2 Identity Server');
    expect(screen.queryByText('sandbox (SANDBOX)')).toBeNull();
    expect(
      screen.getByRole('link', { name: 'orders-service' }),
    ).toHaveAttribute('href', '/catalog/default/component/orders-service');
    // Each tab carries its count.
    await screen.findByRole('tab', { name: /^Mappings\s*1/ });

    const form = screen.getByRole('form', { name: 'Mapping filters' });
    await userEvent.click(within(form).getByLabelText('Environment'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Sandbox' }),
    );
    await userEvent.click(within(form).getByLabelText('Key manager'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'WSO2 Identity Server' }),
    );
    await userEvent.type(
      within(form).getByLabelText('Entity'),
      'orders-service',
    );
    await userEvent.click(
      within(form).getByRole('button', { name: 'Apply filters' }),
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

  it("counts each tab by the backend's total of the filters, not by the page shown", async () => {
    const api = fakeApi({
      getMappings: jest.fn().mockResolvedValue({
        items: [mappingRecord],
        nextCursor: 'c2',
        total: 137,
      }),
      getAudit: jest.fn().mockResolvedValue({ items: [], total: 0 }),
    });
    await renderPage(api);
    expect(
      await screen.findByRole('tab', { name: /^Mappings\s*137$/ }),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('tab', { name: /^Audit log\s*0$/ }),
    ).toBeInTheDocument();
  });

  it('keeps the mapping filters in the URL, and a shared link applies them', async () => {
    const api = fakeApi({
      getMappings: jest.fn().mockResolvedValue({ items: [mappingRecord] }),
    });
    await renderPage(api, {
      url: '/?m.environment=sandbox&m.consumerKey=orders-sandbox-client',
    });
    await waitFor(() =>
      expect(api.getMappings).toHaveBeenLastCalledWith({
        environment: 'sandbox',
        consumerKey: 'orders-sandbox-client',
        limit: 25,
        cursor: undefined,
      }),
    );
    const form = await screen.findByRole('form', { name: 'Mapping filters' });
    expect(within(form).getByLabelText('Consumer key')).toHaveValue(
      'orders-sandbox-client',
    );
    await userEvent.clear(within(form).getByLabelText('Consumer key'));
    await userEvent.click(
      within(form).getByRole('button', { name: 'Apply filters' }),
    );
    await waitFor(() => expect(location()).not.toContain('m.consumerKey'));
    expect(location()).toContain('m.environment=sandbox');
  });

  it('finds who holds a consumer key (issue 14 item 3)', async () => {
    const api = fakeApi({
      getMappings: jest.fn().mockResolvedValue({ items: [mappingRecord] }),
    });
    await renderPage(api);
    const form = await screen.findByRole('form', { name: 'Mapping filters' });
    await userEvent.type(
      within(form).getByLabelText('Consumer key'),
      '  orders-sandbox-client ',
    );
    await userEvent.click(
      within(form).getByRole('button', { name: 'Apply filters' }),
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
    await renderPage(fakeApi());
    // The table re-renders its empty state once loaded (a new node): the text is looked up again.
    await waitFor(() =>
      expect(screen.getByText('No client is mapped yet.')).toBeInTheDocument(),
    );
  });

  it('keeps the tab in the URL, and a shared link opens the same tab and filters', async () => {
    const getAudit = jest
      .fn()
      .mockResolvedValue({ items: [auditRecord({ outcome: 'failed' })] });
    const api = fakeApi({ getAudit });
    await renderPage(api, {
      url: '/?tab=audit&actor=user%3Adefault%2Fjane&outcome=failed',
    });
    await screen.findByRole('tab', { name: /^Audit log/, selected: true });
    await waitFor(() =>
      expect(getAudit).toHaveBeenLastCalledWith({
        actor: 'user:default/jane',
        outcome: 'failed',
        limit: 50,
        cursor: undefined,
      }),
    );
    const form = screen.getByRole('form', { name: 'Audit filters' });
    expect(within(form).getByLabelText('Actor')).toHaveValue(
      'user:default/jane',
    );

    await userEvent.click(screen.getByRole('tab', { name: /^Mappings/ }));
    expect(location()).toContain('tab=mappings');
    // The filters stay with the link.
    expect(location()).toContain('outcome=failed');
  });

  it('applies filters as they change (debounced), in the URL, and Back restores the previous ones', async () => {
    const getAudit = jest.fn(async (query?: AuditQuery) => ({
      items: [
        auditRecord({
          id: query?.actor ? 'by-jane' : 'everyone',
          action: query?.actor ? 'unprovision' : 'provision',
        }),
      ],
    }));
    await renderPage(fakeApi({ getAudit }), { url: '/?tab=audit' });
    await screen.findByText('provision');
    const form = screen.getByRole('form', { name: 'Audit filters' });

    // Keystrokes faster than the debounce (synchronous, whatever the machine's load)...
    const actor = within(form).getByLabelText('Actor');
    for (const text of ['j', 'ja', 'jan', 'jane']) {
      fireEvent.change(actor, { target: { value: text } });
    }
    // ...and no Apply: the pause in typing applies the last value, and only that one.
    await screen.findByText('unprovision');
    expect(getAudit).toHaveBeenLastCalledWith({
      actor: 'user:default/jane',
      limit: 50,
      cursor: undefined,
    });
    expect(
      getAudit.mock.calls.filter(
        ([q]) => q?.actor && q.actor !== 'user:default/jane',
      ),
    ).toHaveLength(0);
    expect(location()).toContain('actor=user%3Adefault%2Fjane');

    await userEvent.click(screen.getByRole('button', { name: 'Browser back' }));
    await screen.findByText('provision');
    await waitFor(() =>
      expect(within(form).getByLabelText('Actor')).toHaveValue(''),
    );
    expect(getAudit).toHaveBeenLastCalledWith({ limit: 50, cursor: undefined });
  });

  it('shows a bad Actor, a refused Entity and Until before Since under their fields, keeping the previous rows', async () => {
    const refused = await responseError(
      404,
      'NotFoundError',
      'No entity component:default/ghost in the catalog',
      'ENTITY_NOT_FOUND',
    );
    const getAudit = jest.fn(async (query?: AuditQuery) => {
      if (query?.entityRef) throw refused;
      return { items: [auditRecord({ consumerKey: 'still-shown' })] };
    });
    await renderPage(fakeApi({ getAudit }), { url: '/?tab=audit' });
    await screen.findByText(/still-shown/);
    const form = screen.getByRole('form', { name: 'Audit filters' });
    const calls = getAudit.mock.calls.length;

    // Invalid from its first character, so no prefix of it is ever a valid filter.
    await userEvent.type(within(form).getByLabelText('Actor'), '!bad actor');
    await within(form).findByText(/"!bad actor" is not an entity reference/);
    expect(getAudit.mock.calls.length).toBe(calls);
    await screen.findByText(/still-shown/);
    await userEvent.clear(within(form).getByLabelText('Actor'));

    await userEvent.type(within(form).getByLabelText('Entity'), 'ghost');
    await within(form).findByText(/No entity component:default\/ghost/);
    await screen.findByText(/still-shown/);
    expect(screen.queryByText(/stack/i)).toBeNull();
    await userEvent.clear(within(form).getByLabelText('Entity'));

    const since = within(form).getByLabelText('Since');
    const until = within(form).getByLabelText('Until');
    await userEvent.type(since, '2026-11-27T10:00');
    await userEvent.type(until, '2026-11-26T10:00');
    await within(form).findByText('"Until" is before "Since"');
    expect(
      getAudit.mock.calls.some(
        ([q]) => (q as { until?: string }).until !== undefined,
      ),
    ).toBe(false);
  });

  it('pages the audit log by cursor and exports exactly the filters shown, saying how many rows', async () => {
    const getAudit = jest
      .fn()
      .mockResolvedValueOnce({
        items: [auditRecord({ id: 'a1' })],
        nextCursor: 'c2',
      })
      .mockResolvedValueOnce({
        items: [auditRecord({ id: 'a2', action: 'unprovision' })],
      })
      .mockResolvedValue({ items: [] });
    const exportAuditCsv = jest
      .fn()
      .mockResolvedValue(
        new Blob(['id,errorMessage\r\na1,"two\r\nlines"\r\na2,x\r\n']),
      );
    const api = fakeApi({ getAudit, exportAuditCsv });
    Object.assign(URL, {
      createObjectURL: jest.fn(() => 'blob:csv'),
      revokeObjectURL: jest.fn(),
    });
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(() => {});

    await renderPage(api, { url: '/?tab=audit&outcome=succeeded' });
    await screen.findByText('provision');
    await screen.findByRole('tab', { name: /^Audit log\s*1\+/ });
    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await screen.findByText('unprovision');
    expect(getAudit).toHaveBeenLastCalledWith({
      outcome: 'succeeded',
      limit: 50,
      cursor: 'c2',
    });
    await screen.findByText('Page 2');

    // A value that is not applied is not what is shown: the export takes the applied filters.
    const form = screen.getByRole('form', { name: 'Audit filters' });
    await userEvent.type(within(form).getByLabelText('Actor'), '!x');
    await userEvent.click(screen.getByRole('button', { name: /Export CSV/ }));
    await waitFor(() => expect(click).toHaveBeenCalled());
    expect(exportAuditCsv).toHaveBeenCalledWith({ outcome: 'succeeded' });
    await screen.findByText(/Exported 2 rows matching the filters shown/);
    click.mockRestore();
  });

  it('shows why the CSV export failed', async () => {
    const error = await responseError(
      403,
      'NotAllowedError',
      'Not allowed to export the audit log',
    );
    await renderPage(
      fakeApi({ exportAuditCsv: jest.fn().mockRejectedValue(error) }),
      { url: '/?tab=audit' },
    );
    await userEvent.click(
      await screen.findByRole('button', { name: /Export CSV/ }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The CSV export failed: Not allowed to export the audit log',
    );
  });

  it('suggests users from the catalog in the Actor field', async () => {
    await renderPage(fakeApi(), { url: '/?tab=audit' });
    const form = await screen.findByRole('form', { name: 'Audit filters' });
    await userEvent.type(within(form).getByLabelText('Actor'), 'ja');
    await screen.findByRole('option', { name: 'user:default/jane' });
    await waitFor(() =>
      expect(
        screen.queryByRole('option', { name: 'user:default/jim' }),
      ).toBeNull(),
    );
    await act(async () => {
      await userEvent.click(
        screen.getByRole('option', { name: 'user:default/jane' }),
      );
    });
    expect(within(form).getByLabelText('Actor')).toHaveValue(
      'user:default/jane',
    );
  });

  it('refuses without apim.audit.read', async () => {
    const api = fakeApi();
    await renderPage(api, { authorize: AuthorizeResult.DENY });
    await screen.findByText('You may not see the API-M credentials audit log');
    expect(api.getMappings).not.toHaveBeenCalled();
  });
});
