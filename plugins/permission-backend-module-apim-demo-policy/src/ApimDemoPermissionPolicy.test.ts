import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import {
  apimApplicationsBindPermission,
  apimCredentialsApprovePermission,
  apimAuditReadPermission,
  apimCredentialsProvisionPermission,
  apimCredentialsReadPermission,
  apimSubscriptionsManagePermission,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { ApimDemoPermissionPolicy } from './ApimDemoPermissionPolicy';

describe('ApimDemoPermissionPolicy', () => {
  const userInfo = mockServices.userInfo({
    userEntityRef: 'user:default/guest',
    ownershipEntityRefs: [
      'user:default/guest',
      'group:default/guests',
      'group:default/platform-team',
    ],
  });
  const policy = new ApimDemoPermissionPolicy(userInfo);
  const user = {
    credentials: mockCredentials.user('user:default/guest'),
    info: {} as any,
  };
  const service = { credentials: mockCredentials.service(), info: {} as any };

  it('lets owners provision through a catalog ownership condition', async () => {
    const decision = await policy.handle(
      { permission: apimCredentialsProvisionPermission },
      user,
    );
    expect(decision).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        params: { claims: expect.arrayContaining(['group:default/guests']) },
      },
    });
  });

  it('lets owners manage subscriptions through the same ownership condition; services get nothing', async () => {
    const decision = await policy.handle(
      { permission: apimSubscriptionsManagePermission },
      user,
    );
    expect(decision).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        params: { claims: expect.arrayContaining(['group:default/guests']) },
      },
    });
    expect(
      await policy.handle(
        { permission: apimSubscriptionsManagePermission },
        service,
      ),
    ).toEqual({ result: AuthorizeResult.DENY });
  });

  it('lets platform-team members read the audit log, and no one else', async () => {
    expect(
      await policy.handle({ permission: apimAuditReadPermission }, user),
    ).toEqual({ result: AuthorizeResult.ALLOW });
    const outsider = new ApimDemoPermissionPolicy(
      mockServices.userInfo({
        userEntityRef: 'user:default/alice',
        ownershipEntityRefs: [
          'user:default/alice',
          'group:default/team-payments',
        ],
      }),
    );
    expect(
      await outsider.handle({ permission: apimAuditReadPermission }, user),
    ).toEqual({ result: AuthorizeResult.DENY });
  });

  it.each([
    ['bind applications', apimApplicationsBindPermission],
    ['approve requests for keys', apimCredentialsApprovePermission],
  ])(
    'lets platform-team members %s, and no one else',
    async (_n, permission) => {
      expect(await policy.handle({ permission }, user)).toEqual({
        result: AuthorizeResult.ALLOW,
      });
      const outsider = new ApimDemoPermissionPolicy(
        mockServices.userInfo({
          userEntityRef: 'user:default/alice',
          ownershipEntityRefs: [
            'user:default/alice',
            'group:default/team-orders',
          ],
        }),
      );
      expect(await outsider.handle({ permission }, user)).toEqual({
        result: AuthorizeResult.DENY,
      });
      expect(await policy.handle({ permission }, service)).toEqual({
        result: AuthorizeResult.DENY,
      });
    },
  );

  it('lets any user read credentials but denies services without a user', async () => {
    expect(
      await policy.handle({ permission: apimCredentialsReadPermission }, user),
    ).toEqual({ result: AuthorizeResult.ALLOW });
    expect(
      await policy.handle(
        { permission: apimCredentialsReadPermission },
        service,
      ),
    ).toEqual({ result: AuthorizeResult.DENY });
    expect(
      await policy.handle(
        { permission: apimCredentialsProvisionPermission },
        undefined,
      ),
    ).toEqual({ result: AuthorizeResult.DENY });
  });

  it('allows unrelated permissions', async () => {
    const other = createPermission({
      name: 'catalog.entity.read',
      attributes: { action: 'read' },
    });
    expect(await policy.handle({ permission: other }, user)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });
});
