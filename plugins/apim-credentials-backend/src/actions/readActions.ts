/**
 * The read-only actions (issue 14 item 3): `get-entity-credentials`, `search-audit`,
 * `find-consumer-key` and `list-drift`. Each answers what the matching REST route answers to the
 * same person, with the same permission checks; none returns or accepts a secret.
 */
import { parseEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import {
  apimAuditReadPermission,
  auditQuerySchema,
  consumerKeySchema,
  entityRefSchema,
  mappingsQuerySchema,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { z } from 'zod/v4';
import { readEntityCredentials } from '../entityCredentials';
import { ActionDeps, guarded, parseInput } from './shared';

/** Mapping records as actions return them (MappingRecord of -common). */
const mappingShape = (zod: typeof import('zod/v3').z) =>
  zod
    .object({
      entityRef: zod.string(),
      environment: zod.string(),
      keyManager: zod.string(),
      instance: zod.string(),
      keyType: zod.string(),
      applicationId: zod.string(),
      applicationName: zod.string(),
      consumerKey: zod.string(),
      keyMappingId: zod.string(),
      state: zod.string(),
      driftReason: zod.string().optional(),
      provisionedBy: zod.string(),
      provisionedAt: zod.string(),
    })
    .passthrough();

/** `GET /mappings`'s rule: the organisation-wide list is for `apim.audit.read` holders. */
async function assertMappingsAccess(
  deps: ActionDeps,
  credentials: Parameters<ActionDeps['access']['isAllowed']>[0],
  what: string,
) {
  if (!(await deps.access.isAllowed(credentials, apimAuditReadPermission))) {
    throw new NotAllowedError(`You may not ${what}; ask for apim.audit.read`);
  }
}

export function registerReadActions(
  registry: ActionsRegistryService,
  deps: ActionDeps,
) {
  registry.register({
    name: 'get-entity-credentials',
    title: 'Get the API-M credentials of an entity',
    description:
      'Returns the WSO2 API-M application of a catalog entity and, per environment and key manager, the OAuth2 client mapped into it (consumer key, keyMappingId, grant types, state, who provisioned it and when). Never returns a secret. Needs apim.credentials.read on the entity.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: zod =>
        zod.strictObject({
          entityRef: zod
            .string()
            .describe('Full entity ref, e.g. component:default/orders-service'),
        }),
      output: zod => zod.object({ credentials: zod.object({}).passthrough() }),
    },
    action: ({ input, credentials }) =>
      guarded(deps.logger, async () => {
        const { entityRef } = parseInput(
          z.strictObject({ entityRef: entityRefSchema }),
          input,
        );
        const result = await readEntityCredentials(
          deps,
          parseEntityRef(entityRef),
          credentials,
        );
        return { output: { credentials: JSON.parse(JSON.stringify(result)) } };
      }),
  });

  registry.register({
    name: 'search-audit',
    title: 'Search the API-M credentials audit log',
    description:
      'Searches the audit log of provisioning, removal, verification and binding attempts (who, what, where, through which path, outcome), newest first. Filters: entityRef, environment, actor, action, outcome, since, until (ISO 8601); page with limit and the returned nextCursor. Without apim.audit.read, filter by an entity you may read.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: zod =>
        zod.strictObject({
          entityRef: zod.string().optional().describe('Full entity ref'),
          environment: zod.string().optional(),
          actor: zod.string().optional().describe('User entity ref'),
          action: zod
            .string()
            .optional()
            .describe('e.g. provision, unprovision, verify'),
          outcome: zod
            .string()
            .optional()
            .describe('succeeded, unchanged, failed, denied or pending'),
          since: zod.string().optional().describe('ISO 8601 instant'),
          until: zod.string().optional().describe('ISO 8601 instant'),
          limit: zod.number().int().optional().describe('1 to 500, default 50'),
          cursor: zod.string().optional(),
        }),
      output: zod =>
        zod.object({
          items: zod.array(zod.object({}).passthrough()),
          nextCursor: zod.string().optional(),
        }),
    },
    action: ({ input, credentials }) =>
      guarded(deps.logger, async () => {
        const query = parseInput(auditQuerySchema, input);
        await deps.access.assertAuditAccess(credentials, query.entityRef);
        const page = await deps.stores.audit.queryAudit(query);
        return { output: JSON.parse(JSON.stringify(page)) };
      }),
  });

  registry.register({
    name: 'find-consumer-key',
    title: 'Find who holds an OAuth2 consumer key',
    description:
      'Given a consumer key (client id), e.g. one that leaked, returns every entity, API-M application, environment and key manager where Backstage recorded it as mapped, with its state and who provisioned it. Exact match. Needs apim.audit.read (like GET /mappings).',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: zod =>
        zod.strictObject({
          consumerKey: zod.string().describe('The OAuth2 client id to look up'),
        }),
      output: zod => zod.object({ holders: zod.array(mappingShape(zod)) }),
    },
    action: ({ input, credentials }) =>
      guarded(deps.logger, async () => {
        const { consumerKey } = parseInput(
          z.strictObject({ consumerKey: consumerKeySchema }),
          input,
        );
        await assertMappingsAccess(
          deps,
          credentials,
          'look up who holds a consumer key',
        );
        // One key is mapped in a handful of cells at most; the largest page is plenty.
        const page = await deps.stores.mappings.queryMappings({
          consumerKey,
          limit: 500,
        });
        return { output: { holders: JSON.parse(JSON.stringify(page.items)) } };
      }),
  });

  registry.register({
    name: 'list-drift',
    title: 'List API-M credential mappings that drifted',
    description:
      'Lists the mappings the drift job found changed outside Backstage (removed or replaced in API-M), with the reason. Optional filters environment and entityRef; page with limit and nextCursor. Needs apim.audit.read (like GET /mappings).',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: zod =>
        zod.strictObject({
          environment: zod.string().optional(),
          entityRef: zod.string().optional().describe('Full entity ref'),
          limit: zod.number().int().optional().describe('1 to 500, default 50'),
          cursor: zod.string().optional(),
        }),
      output: zod =>
        zod.object({
          items: zod.array(mappingShape(zod)),
          nextCursor: zod.string().optional(),
        }),
    },
    action: ({ input, credentials }) =>
      guarded(deps.logger, async () => {
        const query = parseInput(
          mappingsQuerySchema.pick({
            environment: true,
            entityRef: true,
            limit: true,
            cursor: true,
          }),
          input,
        );
        await assertMappingsAccess(deps, credentials, 'list drifted mappings');
        const page = await deps.stores.mappings.queryMappings({
          ...query,
          state: 'drifted',
        });
        return { output: JSON.parse(JSON.stringify(page)) };
      }),
  });
}
