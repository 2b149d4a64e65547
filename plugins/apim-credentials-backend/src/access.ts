/**
 * The authorisation and entity checks shared by the REST router and the actions registry
 * (issue 14 item 3): one implementation, so that an AI agent's action is allowed exactly when the
 * same person's REST call would be.
 */
import {
  AuthService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  APIM_APPLICATION_ANNOTATION,
  apimAuditReadPermission,
  apimCredentialsReadPermission,
  canonicalEntityRef,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { assertApplicationName } from './service/applicationNames';
import { coded } from './errors';

/** What `createAccess` returns; see each member. */
export interface Access {
  /**
   * Whether the permission policy allows `permission` (on `resourceRef` for a resource
   * permission). Only a user principal can be allowed: the audit actor is always a user.
   */
  isAllowed(
    credentials: BackstageCredentials,
    permission: ResourcePermission | BasicPermission,
    resourceRef?: string,
  ): Promise<boolean>;
  /**
   * The entity, read from the catalog with the caller's credentials, its canonical ref and its
   * application name. Throws 404 `ENTITY_NOT_FOUND`, 400 `MISSING_ANNOTATION`, or 400 for an
   * application name API-M refuses (CONTRACT.md 14.1).
   */
  entityOf(
    params: { kind: string; namespace: string; name: string },
    credentials: BackstageCredentials,
  ): Promise<{ entityRef: string; applicationName: string; entity: Entity }>;
  /**
   * Audit reads: platform readers (`apim.audit.read`) see everything, an entity's readers see
   * that entity's history. Throws 404 (`ENTITY_NOT_FOUND`) when a caller without
   * `apim.audit.read` filters by an entity the catalog does not show them, 403 otherwise.
   */
  assertAuditAccess(
    credentials: BackstageCredentials,
    entityRef: string | undefined,
  ): Promise<void>;
}

export function createAccess(deps: {
  auth: AuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
}): Access {
  const { auth, permissions, catalog } = deps;

  const isAllowed: Access['isAllowed'] = async (
    credentials,
    permission,
    resourceRef,
  ) => {
    // Backstage's permissions service answers ALLOW for service principals without asking the
    // policy, so a policy can never deny them. Credentials are provisioned and audited on behalf
    // of a user (the audit actor is a user entity ref): a service without a user gets nothing.
    if (!auth.isPrincipal(credentials, 'user')) return false;
    const [decision] = await permissions.authorize(
      [
        resourceRef
          ? { permission: permission as ResourcePermission, resourceRef }
          : { permission: permission as BasicPermission },
      ],
      { credentials },
    );
    return decision.result === AuthorizeResult.ALLOW;
  };

  const entityOf: Access['entityOf'] = async (params, credentials) => {
    const entityRef = stringifyEntityRef(params);
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    if (!entity)
      throw coded(
        new NotFoundError(`No entity ${entityRef} in the catalog`),
        'ENTITY_NOT_FOUND',
      );
    const applicationName =
      entity.metadata.annotations?.[APIM_APPLICATION_ANNOTATION];
    if (!applicationName) {
      throw coded(
        new InputError(
          `Entity ${entityRef} has no ${APIM_APPLICATION_ANNOTATION} annotation; add it to its catalog-info.yaml with the name of its API-M application`,
        ),
        'MISSING_ANNOTATION',
      );
    }
    // A name API-M would refuse is a 400 here, before any API-M call or audit row.
    assertApplicationName(applicationName);
    // The catalog's spelling may differ in case; every row and comparison uses the canonical one.
    return { entityRef: canonicalEntityRef(entity), applicationName, entity };
  };

  const assertAuditAccess: Access['assertAuditAccess'] = async (
    credentials,
    entityRef,
  ) => {
    // Platform readers may read the history of any ref, including entities deleted since: the
    // audit log is evidence and outlives the catalog.
    if (await isAllowed(credentials, apimAuditReadPermission)) return;
    if (entityRef) {
      // Everyone else reads only the history of an entity the catalog shows them; an entity
      // they cannot see answers like one that does not exist, so the filter reveals nothing.
      const entity = await catalog.getEntityByRef(entityRef, { credentials });
      if (!entity)
        throw coded(
          new NotFoundError(`No entity ${entityRef} in the catalog`),
          'ENTITY_NOT_FOUND',
        );
      if (
        await isAllowed(credentials, apimCredentialsReadPermission, entityRef)
      )
        return;
    }
    throw new NotAllowedError(
      entityRef
        ? `You may not read the API-M audit log of ${entityRef}`
        : 'You may not read the API-M audit log; filter by an entity you may read, or ask for apim.audit.read',
    );
  };

  return { isAllowed, entityOf, assertAuditAccess };
}
