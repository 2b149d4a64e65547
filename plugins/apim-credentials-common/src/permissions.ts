import { createPermission } from '@backstage/plugin-permission-common';
import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';

/**
 * See an entity's API-M application, its mappings and its audit history.
 *
 * @public
 */
export const apimCredentialsReadPermission = createPermission({
  name: 'apim.credentials.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Provide (map) or remove an OAuth2 client for an entity, and verify credentials for it.
 *
 * @public
 */
export const apimCredentialsProvisionPermission = createPermission({
  name: 'apim.credentials.provision',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Read the organisation-wide audit log and mapping list (platform teams).
 *
 * @public
 */
export const apimAuditReadPermission = createPermission({
  name: 'apim.audit.read',
  attributes: { action: 'read' },
});

/**
 * Bind an existing API-M application to a catalog entity, or unbind it (platform teams). The
 * annotation only names an application: an application that Backstage did not create belongs to
 * no entity until someone holding this permission binds it (audited as `bind` / `unbind`).
 *
 * @public
 */
export const apimApplicationsBindPermission = createPermission({
  name: 'apim.applications.bind',
  attributes: { action: 'update' },
});

/**
 * Subscribe the entity's API-M application to APIs, unsubscribe it, or sync its subscriptions
 * with the entity's `consumesApis` (issue 16): subscribing grants the entity's clients access to
 * those APIs, so it is its own permission, by default held by the entity's owners.
 *
 * @public
 */
export const apimSubscriptionsManagePermission = createPermission({
  name: 'apim.subscriptions.manage',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Approve or reject requests for credentials in environments that require approval (issue 14),
 * e.g. production; by default held by the platform team. Nobody may decide their own request.
 *
 * @public
 */
export const apimCredentialsApprovePermission = createPermission({
  name: 'apim.credentials.approve',
  attributes: { action: 'update' },
});

/** @public */
export const apimCredentialsPermissions = [
  apimCredentialsReadPermission,
  apimCredentialsProvisionPermission,
  apimAuditReadPermission,
  apimApplicationsBindPermission,
  apimSubscriptionsManagePermission,
  apimCredentialsApprovePermission,
];
