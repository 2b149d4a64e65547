import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { InputError, ResponseError } from '@backstage/errors';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  APIM_CREDENTIALS_PLUGIN_ID,
  APIM_CREDENTIALS_TASK_ID_HEADER,
  getApimCredentialsErrorCode,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { ApimCredentialsActionOptions, getToken } from './backendClient';
import { normaliseEntityRef, normaliseEnvironments } from './inputs';

/**
 * The id templates use for this action (`steps[].action`).
 *
 * @public
 */
export const SUBSCRIPTIONS_SYNC_ACTION_ID = 'apim:subscriptions:sync';

/** One API's result in one environment, as the action outputs it. */
interface SyncResult {
  environment: string;
  apiRef?: string;
  apiId?: string;
  action: 'subscribe' | 'unsubscribe';
  /** `planned` in a dry run. */
  outcome: 'succeeded' | 'unchanged' | 'failed' | 'planned';
  error?: string;
}

/** `orders-api` / `api:orders-api` -> `api:default/orders-api`; InputError naming `apis`. */
function normaliseApiRef(ref: string): string {
  try {
    const parsed = parseEntityRef(ref.trim(), {
      defaultKind: 'api',
      defaultNamespace: 'default',
    });
    if (parsed.kind.toLocaleLowerCase('en-US') !== 'api')
      throw new Error('not an API entity');
    return stringifyEntityRef(parsed).toLocaleLowerCase('en-US');
  } catch (e) {
    throw new InputError(
      `apis: "${ref}" is not an API entity ref such as "api:default/orders-api" (${
        (e as Error).message
      })`,
    );
  }
}

/**
 * Creates `apim:subscriptions:sync` (issue 16): makes the entity's API-M application subscribe to
 * the APIs the entity declares (`spec.consumesApis`, `fromCatalog: true`) or to an explicit list,
 * per environment, through the apim-credentials backend on behalf of the template's user (who
 * needs `apim.subscriptions.manage` on the entity). Idempotent: each environment's run is a
 * checkpoint and the backend treats an existing subscription as unchanged. Dry run: the plan.
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
    examples: [
      {
        description:
          'Subscribe the new component to the APIs it declares, in the sandbox',
        example: [
          'steps:',
          '  - id: subscribe',
          '    action: apim:subscriptions:sync',
          '    input:',
          "      entityRef: ${{ steps['register'].output.entityRef }}",
          '      environments: [sandbox]',
          '      fromCatalog: true',
        ].join('\n'),
      },
      {
        description:
          'Subscribe to two APIs explicitly, in sandbox and production',
        example: [
          'steps:',
          '  - id: subscribe',
          '    action: apim:subscriptions:sync',
          '    input:',
          '      entityRef: component:default/orders-service',
          '      environments: [sandbox, production]',
          '      fromCatalog: false',
          '      apis: [api:default/payments-api, api:default/orders-api]',
        ].join('\n'),
      },
    ],
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z.string({
            description:
              'The catalog entity whose application subscribes, e.g. component:default/orders-service',
          }),
        environments: z =>
          z.union([z.string(), z.array(z.string()).min(1)], {
            description: 'One environment id or a list of them',
          }),
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
      if (!fromCatalog && apis.length === 0) {
        throw new InputError(
          'apis: give the API entity refs to subscribe to, or set fromCatalog: true',
        );
      }
      if (ctx.input.removeUndeclared && !fromCatalog) {
        throw new InputError(
          'removeUndeclared: only with fromCatalog: true (what is undeclared is decided by the catalog)',
        );
      }
      const dryRun = ctx.isDryRun === true;
      const token = await getToken(
        options.auth,
        await ctx.getInitiatorCredentials(),
      );
      const fetchFn = options.fetch ?? fetch;
      const base = `${await options.discovery.getBaseUrl(
        APIM_CREDENTIALS_PLUGIN_ID,
      )}/entities/${entityRef.replace(':', '/')}/subscriptions`;

      async function call<T>(
        method: string,
        path: string,
        body?: unknown,
      ): Promise<T> {
        const response = await fetchFn(`${base}${path}`, {
          method,
          headers: {
            accept: 'application/json',
            authorization: `Bearer ${token}`,
            [APIM_CREDENTIALS_TASK_ID_HEADER]: ctx.task.id,
            ...(body === undefined
              ? {}
              : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: ctx.signal,
        });
        if (!response.ok) {
          const error = await ResponseError.fromResponse(response);
          // The backend's message says what to do; ResponseError's own only names the status.
          throw Object.assign(
            new Error(error.body?.error?.message ?? error.message),
            {
              code: getApimCredentialsErrorCode(error),
              status: response.status,
            },
          );
        }
        return (await response.json()) as T;
      }

      const results: SyncResult[] = [];
      const failed: string[] = [];
      for (const environment of environments) {
        try {
          const envResults: SyncResult[] = [];
          if (fromCatalog) {
            const removeUndeclared = ctx.input.removeUndeclared ?? false;
            if (dryRun) {
              const plan = await call<{
                items: Array<{
                  apiRef?: string;
                  apiId: string;
                  action: 'subscribe' | 'unsubscribe';
                }>;
              }>(
                'POST',
                `/${encodeURIComponent(environment)}/sync?dryRun=true`,
                { removeUndeclared },
              );
              envResults.push(
                ...plan.items.map(i => ({
                  environment,
                  apiRef: i.apiRef,
                  apiId: i.apiId,
                  action: i.action,
                  outcome: 'planned' as const,
                })),
              );
            } else {
              const run = await ctx.checkpoint({
                key: `apim-subscriptions:sync:${entityRef}:${environment}:${removeUndeclared}`,
                // A run with a failed API is not checkpointed: a retry runs the (idempotent) sync again.
                fn: async () => {
                  const rows = (
                    await call<{
                      results: Array<{
                        apiRef?: string;
                        apiId: string;
                        action: 'subscribe' | 'unsubscribe';
                        outcome: SyncResult['outcome'];
                        error?: { message: string };
                      }>;
                    }>('POST', `/${encodeURIComponent(environment)}/sync`, {
                      removeUndeclared,
                    })
                  ).results.map(r => ({
                    environment,
                    ...(r.apiRef ? { apiRef: r.apiRef } : {}),
                    apiId: r.apiId,
                    action: r.action,
                    outcome: r.outcome,
                    ...(r.error ? { error: r.error.message } : {}),
                  }));
                  const bad = rows.filter(r => r.outcome === 'failed');
                  if (bad.length) {
                    throw new Error(
                      bad
                        .map(
                          r => `${r.action} ${r.apiRef ?? r.apiId}: ${r.error}`,
                        )
                        .join('; '),
                    );
                  }
                  return rows;
                },
              });
              envResults.push(...run);
            }
          }
          for (const apiRef of apis) {
            const path = `/${encodeURIComponent(
              environment,
            )}/${encodeURIComponent(apiRef)}`;
            if (dryRun) {
              envResults.push({
                environment,
                apiRef,
                action: 'subscribe',
                outcome: 'planned',
              });
              continue;
            }
            const done = await ctx.checkpoint({
              key: `apim-subscriptions:subscribe:${entityRef}:${environment}:${apiRef}`,
              fn: async () => {
                const r = await call<{
                  outcome: 'succeeded' | 'unchanged';
                  apiId: string;
                }>('PUT', path, {});
                return {
                  environment,
                  apiRef,
                  apiId: r.apiId,
                  action: 'subscribe' as const,
                  outcome: r.outcome,
                };
              },
            });
            envResults.push(done);
          }
          for (const r of envResults) {
            const what = `${r.action} ${r.apiRef ?? r.apiId} in ${environment}`;
            if (r.outcome === 'failed') {
              ctx.logger.error(`${what} failed: ${r.error}`);
              failed.push(`${what}: ${r.error}`);
            } else
              ctx.logger.info(
                `${dryRun ? 'Dry run: would ' : ''}${what}${
                  dryRun ? '' : `: ${r.outcome}`
                }`,
              );
          }
          results.push(...envResults);
        } catch (error) {
          const message = `${environment}: ${(error as Error).message}`;
          ctx.logger.error(message);
          failed.push(message);
        }
      }
      ctx.output('results', results);
      if (failed.length) {
        throw new Error(
          `apim:subscriptions:sync for ${entityRef} failed for: ${failed.join(
            '; ',
          )}`,
        );
      }
    },
  });
}
