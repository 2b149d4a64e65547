import type { Entity } from '@backstage/catalog-model';
import { APIM_APPLICATION_ANNOTATION } from '@apim-credentials/backstage-plugin-apim-credentials-common';

/**
 * Whether the API-M Credentials tab applies to the entity: it names its WSO2 API-M application
 * in the `wso2.com/apim-application` annotation, with something other than spaces. The one rule
 * of both frontend systems: the new system's entity content uses it as its `filter`, legacy apps
 * pass it to `EntityLayout.Route if={...}`, and the tab itself shows the missing-annotation state
 * where it is false.
 *
 * @public
 */
export function isApimCredentialsAvailable(entity: Entity): boolean {
  const value = entity.metadata.annotations?.[APIM_APPLICATION_ANNOTATION];
  return typeof value === 'string' && value.trim().length > 0;
}
