import { configure, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { auditRecord, fakeApi } from '../../testing/fixtures';
import { renderWithApi } from '../../testing/__testUtils__/render';
import { AuditTable } from './AuditTable';

jest.setTimeout(30_000);
configure({ asyncUtilTimeout: 10_000 });

function renderTable(records = [auditRecord()]) {
  return renderWithApi(
    <AuditTable
      title="Audit"
      showEntity
      records={records}
      emptyMessage="none"
    />,
    {
      entityLinks: true,
      api: fakeApi(),
    },
  );
}

describe('AuditTable', () => {
  it('shows a one-line summary in display titles and whether the credentials were verified (issue 15 items 6, 7)', async () => {
    await renderTable([
      auditRecord({ id: 'v', verified: true, consumerKey: 'client-v' }),
      auditRecord({ id: 'u', verified: false, consumerKey: 'client-u' }),
      auditRecord({ id: 'r', action: 'unprovision', consumerKey: 'client-r' }),
    ]);
    await screen.findByText(
      'guest: provide client-v in Sandbox · WSO2 Identity Server',
    );
    const rowOf = (key: string) =>
      screen.getByText(new RegExp(`${key} in`)).closest('tr')!;
    expect(within(rowOf('client-v')).getByText('Verified')).toBeInTheDocument();
    expect(
      within(rowOf('client-u')).getByText('Not verified'),
    ).toBeInTheDocument();
    // Only provisioning rows have a verification to report.
    expect(within(rowOf('client-r')).queryByText(/verified/i)).toBeNull();
    // Fewer columns: ids are in the details, not in the row.
    expect(screen.queryByText(/km-map-123/)).toBeNull();
    expect(
      screen.getAllByRole('columnheader').map(h => h.textContent?.trim()),
    ).toEqual(
      expect.arrayContaining([
        'When',
        'Entity',
        'Action',
        'Outcome',
        'Verified',
        'Summary',
      ]),
    );
    expect(screen.getAllByRole('columnheader').length).toBeLessThanOrEqual(7);
  });

  it('expands a row into the full record, ids whole', async () => {
    await renderTable([
      auditRecord({
        errorCode: 'VERIFICATION_FAILED',
        errorMessage: 'The key manager refused the secret\nsecond line',
        outcome: 'failed',
        verified: undefined,
      }),
    ]);
    const summary = await screen.findByText(
      /provide orders-sandbox-client in Sandbox · WSO2 Identity Server — The key manager refused the secret$/,
    );
    await userEvent.click(within(summary.closest('tr')!).getByRole('button'));
    const details = await screen.findByLabelText('Audit record audit-1');
    expect(within(details).getByText('km-map-123')).toHaveStyle({
      whiteSpace: 'nowrap',
    });
    expect(
      within(details).getByText('VERIFICATION_FAILED'),
    ).toBeInTheDocument();
    expect(
      within(details).getByText('WSO2 Identity Server (IS)'),
    ).toBeInTheDocument();
    expect(
      within(details).getByText('Sandbox (sandbox, SANDBOX)'),
    ).toBeInTheDocument();
  });
});
