import { configure, screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { apimCredentialsApiRef } from '../../api';
import { auditRecord, fakeApi, responseError } from '../../testing/fixtures';
import { EntityAuditHistory } from './EntityAuditHistory';

jest.setTimeout(30_000);
configure({ asyncUtilTimeout: 10_000 });

describe('EntityAuditHistory', () => {
  it('says in one line why the history failed to load, without an error panel or stack', async () => {
    const error = await responseError(
      503,
      'ServiceUnavailableError',
      'The database is not reachable',
    );
    await renderInTestApp(
      <EntityAuditHistory
        entityRef="component:default/orders-service"
        refreshKey={0}
      />,
      {
        apis: [
          [
            apimCredentialsApiRef,
            fakeApi({ getAudit: jest.fn().mockRejectedValue(error) }),
          ],
        ],
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      },
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The audit history could not be loaded: The database is not reachable',
    );
    expect(screen.queryByText(/stack|ResponseError/i)).toBeNull();
  });

  it('lists the rows with whether the credentials were verified', async () => {
    await renderInTestApp(
      <EntityAuditHistory
        entityRef="component:default/orders-service"
        refreshKey={0}
      />,
      {
        apis: [
          [
            apimCredentialsApiRef,
            fakeApi({
              getAudit: jest.fn().mockResolvedValue({
                items: [auditRecord({ verified: false })],
              }),
            }),
          ],
        ],
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      },
    );
    expect(await screen.findByText('Not verified')).toBeInTheDocument();
  });
});
