import { configure, screen } from '@testing-library/react';
import {
  auditRecord,
  entityRef,
  fakeApi,
  responseError,
} from '../../testing/fixtures';
import { renderWithApi } from '../../testing/__testUtils__/render';
import { EntityAuditHistory } from './EntityAuditHistory';

jest.setTimeout(30_000);
configure({ asyncUtilTimeout: 10_000 });

/** The history of the fixtures' entity, its audit read by `getAudit`. */
function renderHistory(getAudit: jest.Mock) {
  return renderWithApi(
    <EntityAuditHistory entityRef={entityRef} refreshKey={0} />,
    { api: fakeApi({ getAudit }), entityLinks: true },
  );
}

describe('EntityAuditHistory', () => {
  it('says in one line why the history failed to load, without an error panel or stack', async () => {
    const error = await responseError(
      503,
      'ServiceUnavailableError',
      'The database is not reachable',
    );
    await renderHistory(jest.fn().mockRejectedValue(error));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The audit history could not be loaded: The database is not reachable',
    );
    expect(screen.queryByText(/stack|ResponseError/i)).toBeNull();
  });

  it('lists the rows with whether the credentials were verified', async () => {
    await renderHistory(
      jest
        .fn()
        .mockResolvedValue({ items: [auditRecord({ verified: false })] }),
    );
    expect(await screen.findByText('Not verified')).toBeInTheDocument();
  });
});
