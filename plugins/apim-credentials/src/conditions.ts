import type { Entity } from '@backstage/catalog-model';
import { APIM_APPLICATION_ANNOTATION } from '@internal/backstage-plugin-apim-credentials-common';

/**
 * Whether the entity names its WSO2 API-M application (annotation `wso2.com/apim-application`),
 * i.e. whether the API-M Credentials tab applies to it. For `EntityLayout.Route if={...}`.
 *
 * @public
 */
export function isApimCredentialsAvailable(entity: Entity): boolean {
  return Boolean(
    entity.metadata.annotations?.[APIM_APPLICATION_ANNOTATION]?.trim(),
  );
}
