/**
 * Reading an entity's credentials (PRODUCT.md section 5, `GET .../credentials`), shared by the
 * REST route and the `get-entity-credentials` action so both apply the same checks.
 */
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  EntityCredentials,
  apimCredentialsReadPermission,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { Access } from './access';
import { ApplicationBindings } from './service/ApplicationBindings';
import { CredentialsReader } from './service/CredentialsReader';
import { isBindingDenial } from './service/bindingErrors';
import { ProvisioningService } from './service/ProvisioningService';

/**
 * The entity's application and mappings per environment; never a secret. Throws what `entityOf`
 * throws, 403 without `apim.credentials.read` on the entity, and the binding denial (403) when
 * no instance's application is bound to the entity (issue 10 item 1).
 */
export async function readEntityCredentials(
  deps: {
    access: Access;
    reader: CredentialsReader;
    bindings: ApplicationBindings;
    service: ProvisioningService;
  },
  params: { kind: string; namespace: string; name: string },
  credentials: BackstageCredentials,
): Promise<EntityCredentials> {
  const { access, reader, bindings, service } = deps;
  const { entityRef, applicationName } = await access.entityOf(
    params,
    credentials,
  );
  if (
    !(await access.isAllowed(
      credentials,
      apimCredentialsReadPermission,
      entityRef,
    ))
  ) {
    throw new NotAllowedError(
      `You may not see the API-M credentials of ${entityRef}`,
    );
  }
  // Per instance, the application must be bound to this entity before any key is read.
  const denials = new Map<string, Error>();
  const result = await reader.getEntityCredentials(
    entityRef,
    applicationName,
    async (instance, app) => {
      try {
        await bindings.guard(instance, entityRef, applicationName, app);
      } catch (error) {
        if (isBindingDenial(error)) denials.set(instance, error);
        throw error;
      }
    },
    instance =>
      bindings.boundApplicationId(instance, entityRef, applicationName),
  );
  const instances = new Set(service.config.environments.map(e => e.instance));
  if (denials.size > 0 && denials.size === instances.size) {
    throw denials.values().next().value;
  }
  return result;
}
