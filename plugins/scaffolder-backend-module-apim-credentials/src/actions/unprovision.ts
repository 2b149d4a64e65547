import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { UnprovisionResult } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { ApimCredentialsActionOptions, connectForTask } from './backendClient';
import { checkpointKey, describeCell } from './cell';
import { forEachEnvironment } from './environmentLoop';
import { toError } from './failures';
import {
  checkKeyManager,
  normaliseEntityRef,
  normaliseEnvironments,
} from './inputs';
import { fetchEnvironments, preflight } from './preflight';
import { unprovisionExamples } from './unprovision.examples';
import { entityRefInput, environmentsInput } from './inputSchemas';

/**
 * The id templates use for this action (`steps[].action`).
 *
 * @public
 */
export const UNPROVISION_ACTION_ID = 'apim:credentials:unprovision';

type UnprovisionCheckpoint = {
  status: 'removed' | 'unchanged';
  environment: string;
  keyManager: string;
  consumerKey: string;
  keyMappingId: string;
  auditId: string;
  warning?: string;
};

function toCheckpoint(result: UnprovisionResult): UnprovisionCheckpoint {
  return {
    status: result.status,
    environment: result.environment,
    keyManager: result.keyManager,
    consumerKey: result.consumerKey ?? '',
    keyMappingId: result.keyMappingId ?? '',
    auditId: result.auditId ?? '',
    ...(result.warning ? { warning: result.warning } : {}),
  };
}

/**
 * Creates the `apim:credentials:unprovision` action: removes the mapping of an OAuth2 client from
 * a catalog entity's API-M application in one or more environments (the client itself stays in
 * its key manager), through the apim-credentials backend, on behalf of the template's user.
 *
 * @public
 */
export function createApimCredentialsUnprovisionAction(
  options: ApimCredentialsActionOptions,
) {
  return createTemplateAction({
    id: UNPROVISION_ACTION_ID,
    description:
      "Removes the OAuth2 client mapped into a catalog entity's WSO2 API-M application in one or more environments (the client stays in its key manager), on behalf of the user running the template. Idempotent; supports dry run.",
    examples: unprovisionExamples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: entityRefInput(),
        environments: environmentsInput,
        keyManager: z =>
          z.string({
            description:
              'Name of the API-M key manager of the mapping to remove',
          }),
        consumerKey: z =>
          z
            .string({
              description:
                'The client id you mean to remove; another client in the slot is then left alone (409). Default: the client the entity tab shows there when the step runs',
            })
            .optional(),
      },
      output: {
        removed: z =>
          z.array(
            z.object({
              environment: z.string(),
              keyManager: z.string(),
              consumerKey: z.string(),
              keyMappingId: z.string(),
              warning: z.string().optional(),
              status: z.enum(['removed', 'unchanged']),
            }),
            {
              description:
                'One entry per environment that succeeded: removed now, or unchanged because nothing was mapped there',
            },
          ),
        warnings: z =>
          z.array(z.string(), {
            description:
              'Per environment, what still works after the removal (API-M 4.2: gateways keep accepting the client until they resync, CONTRACT.md 14.2) and what to do; empty when nothing',
          }),
      },
    },
    async handler(ctx) {
      const entityRef = normaliseEntityRef(ctx.input.entityRef);
      const environments = normaliseEnvironments(ctx.input.environments);
      const keyManager = checkKeyManager(ctx.input.keyManager);
      const dryRun = ctx.isDryRun === true;

      const credentials = await ctx.getInitiatorCredentials();
      const { client, requestOptions } = await connectForTask(
        options,
        credentials,
        { taskId: ctx.task.id, signal: ctx.signal },
      );

      preflight(
        environments,
        keyManager,
        await fetchEnvironments(client, requestOptions, ctx.logger),
        ctx.logger,
      );

      const { succeeded, failures } = await forEachEnvironment({
        entityRef,
        keyManager,
        environments,
        operation: 'unprovision',
        logger: ctx.logger,
        run: async (cell): Promise<UnprovisionCheckpoint> => {
          // The backend removes only the client the caller names (issue 10 item 2): the
          // template's, or the one the entity's credentials show in that slot now.
          const remove = async (
            callOptions: typeof requestOptions & { dryRun?: boolean },
          ): Promise<UnprovisionCheckpoint> => {
            const consumerKey =
              ctx.input.consumerKey ??
              (
                await client.getEntityCredentials(entityRef, requestOptions)
              ).environments
                .find(e => e.environment === cell.environment)
                ?.mappings.find(m => m.keyManager === cell.keyManager)
                ?.consumerKey;
            if (!consumerKey) {
              return {
                status: 'unchanged',
                environment: cell.environment,
                keyManager: cell.keyManager,
                consumerKey: '',
                keyMappingId: '',
                auditId: '',
              };
            }
            return toCheckpoint(
              await client.unprovision({ ...cell, consumerKey }, callOptions),
            );
          };
          let result: UnprovisionCheckpoint;
          if (dryRun) {
            result = await remove({ ...requestOptions, dryRun: true });
            ctx.logger.info(
              result.status === 'removed'
                ? `Dry run: would remove client ${
                    result.consumerKey || '(unknown)'
                  } from ${describeCell(cell)}; nothing changed`
                : `Dry run: nothing is mapped in ${describeCell(
                    cell,
                  )}; nothing would change`,
            );
          } else {
            result = await ctx.checkpoint({
              key: checkpointKey('unprovision', cell),
              fn: () => remove(requestOptions),
            });
            ctx.logger.info(
              result.status === 'removed'
                ? `Removed client ${
                    result.consumerKey || '(unknown)'
                  } from ${describeCell(cell)}`
                : `Nothing was mapped in ${describeCell(
                    cell,
                  )}; nothing changed`,
            );
          }
          if (result.warning) {
            ctx.logger.warn(`${describeCell(cell)}: ${result.warning}`);
          }
          return result;
        },
      });

      ctx.output(
        'warnings',
        succeeded.flatMap(r =>
          r.warning ? [`${r.environment}: ${r.warning}`] : [],
        ),
      );
      ctx.output(
        'removed',
        succeeded.map(r => ({
          environment: r.environment,
          keyManager: r.keyManager,
          consumerKey: r.consumerKey,
          keyMappingId: r.keyMappingId,
          ...(r.warning ? { warning: r.warning } : {}),
          status: r.status,
        })),
      );
      if (failures.length > 0) {
        throw toError(failures, succeeded, 'unprovision', { entityRef });
      }
    },
  });
}
