/**
 * The tab counts of the paged lists (issue 15 item 5) when the backend stopped counting
 * (`Page.totalIsLowerBound`, issue 9): "10,000+", kept while paging on; exact totals as they
 * are, grouped by thousands.
 */
import { configure, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type {
  AuditRecord,
  Page,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { auditRecord, fakeApi, mappingRecord } from '../../testing/fixtures';
import { renderPage } from './__testUtils__/testPage';

jest.setTimeout(120_000);
// Four tables on a busy two-core machine: the first rows can take seconds to render.
configure({ asyncUtilTimeout: 30_000 });

describe('tab counts', () => {
  it('shows a capped total as "10,000+" and an exact one as it is, also on later pages', async () => {
    const getAudit = jest.fn(
      async (query?: { cursor?: string }): Promise<Page<AuditRecord>> =>
        query?.cursor
          ? { items: [auditRecord({ id: 'a2', action: 'unprovision' })] }
          : {
              items: [auditRecord()],
              nextCursor: 'c2',
              total: 10_000,
              totalIsLowerBound: true,
            },
    );
    const api = fakeApi({
      getAudit,
      getMappings: jest.fn().mockResolvedValue({
        items: [mappingRecord],
        nextCursor: 'm2',
        total: 1234,
      }),
    });
    await renderPage(api, { url: '/?tab=audit' });
    await screen.findByRole('tab', { name: /^Audit log\s*10,000\+$/ });
    await screen.findByRole('tab', { name: /^Mappings\s*1,234$/ });

    // Page 2 carries no total: the first page's stays, "+" included.
    await screen.findByText('provision');
    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await screen.findByText('Page 2');
    expect(getAudit).toHaveBeenLastCalledWith(
      expect.objectContaining({ cursor: 'c2' }),
    );
    expect(
      await screen.findByRole('tab', { name: /^Audit log\s*10,000\+$/ }),
    ).toBeInTheDocument();
  });
});
