/**
 * Inputs of the subscription routes (issue 16): path, query and body schemas, and the API entity
 * a `:apiRef` path segment names. Parsing goes through the routes' shared `parse` (400
 * `INVALID_INPUT` naming the field).
 */
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { entityPathSchema } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { z } from 'zod/v4';
import { coded } from '../errors';

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const environmentId = z
  .string()
  .regex(ID, { error: 'environment must be an environment id' });

/** `.../subscriptions/:environment/:apiRef` */
export const changePathSchema = entityPathSchema.extend({
  environment: environmentId,
  apiRef: z.string().min(1).max(255),
});
/** `.../subscriptions/:environment/sync` */
export const syncPathSchema = entityPathSchema.extend({
  environment: environmentId,
});
export const subscribeBodySchema = z.strictObject({
  tier: z.string().min(1).max(100).optional(),
});
export const syncBodySchema = z.strictObject({
  removeUndeclared: z.boolean().optional(),
});
export const viewQuerySchema = z.strictObject({
  environment: environmentId.optional(),
});
export const dryRunSchema = z
  .enum(['true', 'false'], { error: 'dryRun must be true or false' })
  .optional();

/**
 * `orders-api`, `api:orders-api` or `api:default/orders-api` (namespace defaulting to the
 * subscriber's) -> the API entity as the caller sees it.
 *
 * @throws 400 `INVALID_INPUT` for a malformed ref or one of another kind; 404 `ENTITY_NOT_FOUND`
 *   when the catalog shows the caller no such API entity
 */
export async function apiEntityOf(
  catalog: CatalogService,
  raw: string,
  defaultNamespace: string,
  credentials: BackstageCredentials,
): Promise<Entity> {
  let ref;
  try {
    ref = parseEntityRef(raw, { defaultKind: 'API', defaultNamespace });
  } catch {
    throw coded(
      new InputError(
        `Invalid apiRef: "${raw.slice(0, 100)}" is not an entity ref`,
      ),
      'INVALID_INPUT',
    );
  }
  if (ref.kind.toLocaleLowerCase('en-US') !== 'api') {
    throw coded(
      new InputError(
        `Invalid apiRef: ${stringifyEntityRef(ref)} is not an API entity`,
      ),
      'INVALID_INPUT',
    );
  }
  const entity = await catalog.getEntityByRef(ref, { credentials });
  if (!entity) {
    throw coded(
      new NotFoundError(
        `No API entity ${stringifyEntityRef(ref)} in the catalog`,
      ),
      'ENTITY_NOT_FOUND',
    );
  }
  return entity;
}

/** The canonical (lower-case) ref of an API entity, as views and audit rows name it. */
export function apiRefOf(entity: Entity): string {
  return stringifyEntityRef(entity).toLocaleLowerCase('en-US');
}
