import {
  BackstageUserInfo,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  apimApplicationsBindPermission,
  apimAuditReadPermission,
  apimCredentialsApprovePermission,
  apimCredentialsProvisionPermission,
  apimCredentialsReadPermission,
  apimSubscriptionsManagePermission,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';

/**
 * The demo's policy for the apim-credentials permissions:
 * - read an entity's credentials: any signed-in user (consumer keys are not secrets);
 * - provision / remove / verify, and managing the entity's API subscriptions
 *   (`apim.subscriptions.manage`): owners of the entity, directly or through their groups;
 * - the organisation-wide audit log and mapping list: members of the platform team;
 * - binding an existing API-M application to an entity (`apim.applications.bind`) and approving
 *   requests for keys where an environment requires approval (`apim.credentials.approve`):
 *   members of the platform team (the backend refuses anyone approving their own request).
 * Services acting without a user get none of these. Everything else is allowed, as in the
 * allow-all policy this replaces.
 */
export class ApimDemoPermissionPolicy implements PermissionPolicy {
  constructor(
    private readonly userInfo: UserInfoService,
    private readonly platformTeamRef = 'group:default/platform-team',
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const isOurs =
      isPermission(request.permission, apimCredentialsReadPermission) ||
      isPermission(request.permission, apimCredentialsProvisionPermission) ||
      isPermission(request.permission, apimAuditReadPermission) ||
      isPermission(request.permission, apimApplicationsBindPermission) ||
      isPermission(request.permission, apimCredentialsApprovePermission) ||
      isPermission(request.permission, apimSubscriptionsManagePermission);
    if (!isOurs) return { result: AuthorizeResult.ALLOW };
    const principal = user?.credentials.principal as
      | { type?: string }
      | undefined;
    if (!user || principal?.type !== 'user') {
      return { result: AuthorizeResult.DENY };
    }
    if (isPermission(request.permission, apimCredentialsReadPermission)) {
      return { result: AuthorizeResult.ALLOW };
    }
    const info: BackstageUserInfo = await this.userInfo.getUserInfo(
      user.credentials,
    );
    // Subscribing grants the entity's clients access to APIs: owners decide, like provisioning.
    if (
      isPermission(request.permission, apimCredentialsProvisionPermission) ||
      isPermission(request.permission, apimSubscriptionsManagePermission)
    ) {
      return createCatalogConditionalDecision(
        request.permission,
        catalogConditions.isEntityOwner({ claims: info.ownershipEntityRefs }),
      );
    }
    return {
      result: info.ownershipEntityRefs.includes(this.platformTeamRef)
        ? AuthorizeResult.ALLOW
        : AuthorizeResult.DENY,
    };
  }
}
