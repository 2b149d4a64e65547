/**
 * Which API-M API an API entity names (issue 16): `wso2.com/api-id` as WSO2's own catalog module
 * writes it, else `wso2.com/api-name` + `wso2.com/api-version` looked up through API-M's API
 * search (devportal `GET /apis?query=name:X version:Y`, CONTRACT.md 11).
 */
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  APIM_API_ID_ANNOTATION,
  APIM_API_NAME_ANNOTATION,
  APIM_API_VERSION_ANNOTATION,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { ApimClient } from '../apim/ApimClient';
import { ApimError } from '../apim/ApimError';
import type { ApimApi } from '../apim/types';
import { coded } from '../errors';
import { translateSubscriptionError } from './subscriptionErrors';

/** `OrdersAPI 1.0.0` from the entity's annotations; undefined when they name no API. */
export function apiNameOf(entity: Entity): string | undefined {
  const a = entity.metadata.annotations ?? {};
  const name = a[APIM_API_NAME_ANNOTATION];
  const version = a[APIM_API_VERSION_ANNOTATION];
  return name ? `${name}${version ? ` ${version}` : ''}` : undefined;
}

/** `OrdersAPI 1.0.0 (api:default/orders-api)`: how messages name an API entity. */
export function describeApiEntity(entity: Entity): string {
  return `${apiNameOf(entity) ?? 'API'} (${stringifyEntityRef(entity)})`;
}

/**
 * @returns the API as API-M lists it (tiers included)
 * @throws 400 `API_NOT_ANNOTATED` when the entity names no API; 404 `API_NOT_FOUND` when API-M
 *   has no such published API visible to the service account; API-M failures (5xx)
 */
export async function resolveApi(
  client: ApimClient,
  entity: Entity,
  applicationName: string,
): Promise<ApimApi> {
  const a = entity.metadata.annotations ?? {};
  const ctx = {
    instance: client.instanceId,
    applicationName,
    api: describeApiEntity(entity),
  };
  const id = a[APIM_API_ID_ANNOTATION];
  try {
    if (id) return await client.getApi(id);
    const name = a[APIM_API_NAME_ANNOTATION];
    const version = a[APIM_API_VERSION_ANNOTATION];
    if (!name || !version) {
      throw coded(
        new InputError(
          `${stringifyEntityRef(
            entity,
          )} names no API-M API: give it the ${APIM_API_ID_ANNOTATION} annotation, or ${APIM_API_NAME_ANNOTATION} and ${APIM_API_VERSION_ANNOTATION}`,
        ),
        'API_NOT_ANNOTATED',
      );
    }
    // Attribute search compares exactly but ignores case; the exact spelling is checked here.
    const found = (
      await client.searchApis(`name:${name} version:${version}`)
    ).filter(api => api.name === name && api.version === version);
    if (found.length !== 1) {
      // No match is what API-M's 404 on the API means; translated the same way below.
      throw new ApimError(
        'http',
        'GET /apis',
        `no API ${name} ${version}`,
        404,
        404,
      );
    }
    return found[0];
  } catch (error) {
    if ((error as { code?: string }).code === 'API_NOT_ANNOTATED') throw error;
    throw translateSubscriptionError(error, ctx);
  }
}
