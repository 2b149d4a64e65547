import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { InputError, ResponseError } from '@backstage/errors';
import {
  ApimCredentialsErrorCode,
  getApimCredentialsErrorCode,
  SubscriptionSyncItem,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { ApimCredentialsActionOptions, connectForTask } from './backendClient';
import type { Target } from './cell';
import type { EnvironmentFailure } from './environmentLoop';
import { describeFailure, toError } from './failures';
import { normaliseEntityRef, normaliseEnvironments } from './inputs';
import {
  ApisFailedError,
  normaliseApiRef,
  summarise,
  SyncResult,
  toSyncResults,
} from './subscriptionResults';
import { subscriptionsSyncExamples } from './subscriptionsSync.examples';
import { beginStep, dryRunWaitMessage } from './waitForEntity';
import {
  entityRefInput,
  environmentsInput,
  waitForEntityInput,
} from './inputSchemas';

/**
 * The id templates use for this action (`steps[].action`).
 *
 * @public
 */
export const SUBSCRIPTIONS_SYNC_ACTION_ID = 'apim:subscriptions:sync';

/**
 * Answers about the whole environment rather than one API: subscribing the next API of an explicit
 * list would get the same answer, so the environment stops there.
 */
const ENVIRONMENT_WIDE: ReadonlySet<ApimCredentialsErrorCode> = new Set([
  'AUTHENTICATION_REQUIRED',
  'PERMISSION_DENIED',
  'UNKNOWN_ENVIRONMENT',
  'ENTITY_NOT_FOUND',
  'MISSING_ANNOTATION',
  'APPLICATION_NOT_FOUND',
  'APPLICATION_NOT_BOUND',
  'APPLICATION_BOUND_ELSEWHERE',
  'APPLICATION_PENDING_APPROVAL',
] as const);

/**
 * Creates `apim:subscriptions:sync` (issue 16): makes the entity's API-M application subscribe to
 * the APIs the entity declares (`spec.consumesApis`, `fromCatalog: true`) or to an explicit list,
 * per environment, through the apim-credentials backend on behalf of the template's user (who
 * needs `apim.subscriptions.manage` on the entity), with the REST client of `-common` like the
 * credentials actions. Idempotent: each environment's sync (and each listed API) is a checkpoint,
 * and the backend treats an existing subscription as unchanged. Dry run: the backend's plan.
 * Failures are described from the backend's stable error code (failureCodes.ts); the step fails
 * after every environment ran, naming what failed and what succeeded.
 *
 * @public
 */
export function createApimSubscriptionsSyncAction(
  options: ApimCredentialsActionOptions,
) {
  return createTemplateAction({
    id: SUBSCRIPTIONS_SYNC_ACTION_ID,
    description:
      "Subscribes a catalog entity's WSO2 API-M application to the APIs it consumes (its consumesApis, or an explicit list) in one or more environments, on behalf of the user running the template. Idempotent; supports dry run.",
    examples: subscriptionsSyncExamples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: entityRefInput('whose application subscribes'),
        environments: environmentsInput,
        fromCatalog: z =>
          z
            .boolean({
              description:
                "Subscribe to the entity's consumesApis (default true)",
            })
            .optional(),
        apis: z =>
          z
            .array(z.string(), {
              description:
                'API entity refs to subscribe to, instead of (or with fromCatalog: false) the catalog',
            })
            .optional(),
        removeUndeclared: z =>
          z
            .boolean({
              description:
                'Also remove subscriptions the entity does not declare (fromCatalog only; default false)',
            })
            .optional(),
        waitForEntity: waitForEntityInput,
      },
      output: {
        results: z =>
          z.array(
            z.object({
              environment: z.string(),
              apiRef: z.string().optional(),
              apiId: z.string().optional(),
              action: z.enum(['subscribe', 'unsubscribe']),
              outcome: z.enum(['succeeded', 'unchanged', 'failed', 'planned']),
              code: z.string().optional(),
              error: z.string().optional(),
            }),
            { description: 'One entry per API and environment' },
          ),
      },
    },
    async handler(ctx) {
      const entityRef = normaliseEntityRef(ctx.input.entityRef);
      const environments = normaliseEnvironments(ctx.input.environments);
      const fromCatalog = ctx.input.fromCatalog ?? !ctx.input.apis;
      const apis = (ctx.input.apis ?? []).map(normaliseApiRef);
      const removeUndeclared = ctx.input.removeUndeclared ?? false;
      if (!fromCatalog && apis.length === 0) {
        throw new InputError(
          'apis: give the API entity refs to subscribe to, or set fromCatalog: true',
        );
      }
      if (removeUndeclared && !fromCatalog) {
        throw new InputError(
          'removeUndeclared: only with fromCatalog: true (what is undeclared is decided by the catalog)',
        );
      }
      const { dryRun, credentials, entityPending } = await beginStep(
        ctx,
        options.catalog,
        entityRef,
      );
      if (dryRun && entityPending) {
        // The dry run of catalog:register registers nothing: there is no entity to plan for.
        ctx.logger.info(
          dryRunWaitMessage(
            ctx.input.waitForEntity,
            entityRef,
            `sync its subscriptions in ${environments.join(', ')}`,
          ),
        );
        ctx.output('results', []);
        return;
      }

      const { client, requestOptions } = await connectForTask(
        options,
        credentials,
        { taskId: ctx.task.id, signal: ctx.signal },
      );

      /** The entity's consumesApis against its subscriptions: the plan, or the applied sync. */
      const syncFromCatalog = async (target: Target): Promise<SyncResult[]> => {
        const body = { removeUndeclared };
        if (dryRun) {
          const plan = await client.syncSubscriptions(target, body, {
            ...requestOptions,
            dryRun: true,
          });
          return toSyncResults(target, plan.items ?? [], true).results;
        }
        return ctx.checkpoint({
          key: `apim-subscriptions:sync:${entityRef}:${target.environment}:${removeUndeclared}`,
          fn: async () => {
            const run = await client.syncSubscriptions(
              target,
              body,
              requestOptions,
            );
            const { results, failure } = toSyncResults(
              target,
              run.results ?? [],
              false,
            );
            // Not checkpointed: a retry runs the (idempotent) sync again.
            if (failure) throw new ApisFailedError(results, failure);
            return results;
          },
        });
      };

      /** Each listed API, subscribed on its own; an API's failure does not stop the next. */
      const subscribeListed = async (target: Target): Promise<SyncResult[]> => {
        if (dryRun) {
          const [view] = (
            await client.getSubscriptions(
              entityRef,
              { environment: target.environment },
              requestOptions,
            )
          ).environments;
          const already = new Set(
            [...(view?.subscribed ?? []), ...(view?.undeclared ?? [])].map(
              s => s.apiRef,
            ),
          );
          return apis.map(apiRef => ({
            environment: target.environment,
            apiRef,
            action: 'subscribe',
            outcome: already.has(apiRef) ? 'unchanged' : 'planned',
          }));
        }
        const items: SubscriptionSyncItem[] = [];
        for (const apiRef of apis) {
          try {
            const done = await ctx.checkpoint({
              key: `apim-subscriptions:subscribe:${entityRef}:${target.environment}:${apiRef}`,
              fn: async () => {
                const r = await client.subscribe(
                  { ...target, apiRef },
                  {},
                  requestOptions,
                );
                return { apiId: r.apiId ?? '', outcome: r.outcome };
              },
            });
            items.push({ apiRef, action: 'subscribe', ...done });
          } catch (error) {
            const code = getApimCredentialsErrorCode(error);
            if (!code || ENVIRONMENT_WIDE.has(code)) throw error;
            // The API's own answer, described from its code like a failed API of a sync.
            const said = ResponseError.is(error)
              ? error.body?.error?.message || error.message
              : String(error);
            items.push({
              apiRef,
              apiId: '',
              action: 'subscribe',
              outcome: 'failed',
              error: { code, message: said },
            });
          }
        }
        const { results, failure } = toSyncResults(target, items, false);
        if (failure) throw new ApisFailedError(results, failure);
        return results;
      };

      const results: SyncResult[] = [];
      const succeeded: Array<{ environment: string; status: string }> = [];
      const failures: EnvironmentFailure[] = [];
      for (const environment of environments) {
        const target: Target = { entityRef, environment };
        const done: SyncResult[] = [];
        try {
          if (fromCatalog) done.push(...(await syncFromCatalog(target)));
          if (apis.length) done.push(...(await subscribeListed(target)));
          succeeded.push({ environment, status: summarise(done) });
        } catch (error) {
          const failure =
            error instanceof ApisFailedError
              ? error.failure
              : describeFailure(error, target, 'subscribe', []);
          if (error instanceof ApisFailedError) done.push(...error.results);
          ctx.logger.error(failure.message);
          failures.push({ environment, failure });
        }
        for (const r of done.filter(d => d.outcome !== 'failed')) {
          const what = `${r.action} ${
            r.apiRef ?? r.apiId
          } in environment "${environment}"`;
          ctx.logger.info(
            dryRun && r.outcome === 'planned'
              ? `Dry run: would ${what}`
              : `${dryRun ? 'Dry run: ' : ''}${what}: ${r.outcome}`,
          );
        }
        results.push(...done);
      }
      ctx.output('results', results);
      if (failures.length) {
        throw toError(failures, succeeded, 'subscribe', { entityRef });
      }
    },
  });
}
