/**
 * What one environment's subscriptions look like next to the entity's `consumesApis` (issue 16):
 * `subscribed` (tier, status, the gateway URL to call), `missing`, `undeclared` and `unresolved`.
 * Read-only: it lists and looks up, and never changes anything in API-M.
 */
import {
  Entity,
  RELATION_CONSUMES_API,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import type {
  ApimApiSummary,
  ApimSubscribedApi,
  EnvironmentSubscriptions,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { ApimClient } from '../apim/ApimClient';
import type { ApimApi, ApimSubscription } from '../apim/types';
import { coded } from '../errors';
import { resolveApi } from './apiResolver';
import { translateSubscriptionError } from './subscriptionErrors';

/** The entity as the routes read it with the caller's credentials. */
export interface SubscriberEntity {
  entityRef: string;
  applicationName: string;
  entity: Entity;
}

/** An API entity the caller may see, loaded by ref; undefined when the catalog has none. */
export type ApiEntityLoader = (apiRef: string) => Promise<Entity | undefined>;

// The shapes the subscription routes answer are -common's, so the client and the backend cannot
// drift apart; the names below are the ones the backend's modules use.
/** An API as the routes name it. */
export type ApiView = ApimApiSummary;
/** A subscription of the entity's application, with the gateway URL to call the API. */
export type SubscribedApi = ApimSubscribedApi;
/** One environment's subscriptions next to the entity's `consumesApis`. */
export type SubscriptionsView = EnvironmentSubscriptions;

/** The entity's declared APIs: `consumesApi` relations, else `spec.consumesApis`; lower case. */
export function declaredApiRefs(entity: Entity): string[] {
  const fromRelations = (entity.relations ?? [])
    .filter(r => r.type === RELATION_CONSUMES_API)
    .map(r => r.targetRef);
  const raw = fromRelations.length
    ? fromRelations
    : (entity.spec?.consumesApis as string[] | undefined) ?? [];
  const namespace = entity.metadata.namespace ?? 'default';
  return [
    ...new Set(
      raw.map(ref =>
        stringifyEntityRef(
          parseEntityRef(ref, {
            defaultKind: 'API',
            defaultNamespace: namespace,
          }),
        ).toLocaleLowerCase('en-US'),
      ),
    ),
  ];
}

/**
 * The view of one environment.
 *
 * @param app - the bound application, or null when API-M has none yet (nothing is subscribed)
 * @throws the translated API-M failure when the subscriptions cannot be listed, or when API-M is
 *   down while an API is resolved; a single API that cannot be resolved is `unresolved` instead
 */
export async function buildSubscriptionsView(
  env: { id: string; instance: string; client: ApimClient },
  app: { applicationId: string; name: string } | null,
  subject: SubscriberEntity,
  loadApi: ApiEntityLoader,
): Promise<SubscriptionsView> {
  const declared = await resolveDeclared(env.client, subject, loadApi);
  const subs = app
    ? await env.client.listSubscriptions(app.applicationId).catch(error => {
        throw translateSubscriptionError(error, {
          instance: env.instance,
          applicationName: subject.applicationName,
          api: 'its APIs',
        });
      })
    : [];
  const byApiId = new Map(subs.map(s => [s.apiId, s]));
  const declaredIds = new Set(declared.resolved.map(d => d.api.id));
  const gatewayUrls = await gatewayUrlsOf(
    env.client,
    subs.map(s => s.apiId),
    declared.resolved.map(d => d.api),
  );
  const subscribedView = (
    s: ApimSubscription,
    apiRef?: string,
    api?: ApimApi,
  ) => subscribed(s, gatewayUrls.get(s.apiId), apiRef, api);
  return {
    environment: env.id,
    application: app
      ? { applicationId: app.applicationId, name: app.name }
      : null,
    subscribed: declared.resolved
      .filter(d => byApiId.has(d.api.id))
      .map(d => subscribedView(byApiId.get(d.api.id)!, d.apiRef, d.api)),
    missing: declared.resolved
      .filter(d => !byApiId.has(d.api.id))
      .map(d => apiView(d.api, d.apiRef)),
    undeclared: subs
      .filter(s => !declaredIds.has(s.apiId))
      .map(s => subscribedView(s)),
    unresolved: declared.unresolved,
  };
}

/**
 * Gateway URLs of the subscribed APIs. Only `GET /apis/{apiId}` reports them (the search and the
 * subscriptions' apiInfo do not), so the APIs not already read that way are read now. A URL is
 * guidance: an API that cannot be read keeps its row and gets no URL.
 */
async function gatewayUrlsOf(
  client: ApimClient,
  subscribedIds: string[],
  known: ApimApi[],
): Promise<Map<string, string>> {
  const urls = new Map<string, string>();
  for (const api of known) if (api.gatewayUrl) urls.set(api.id, api.gatewayUrl);
  await Promise.all(
    subscribedIds
      .filter(id => !urls.has(id))
      .map(async id => {
        const api = await client.getApi(id).catch(() => undefined);
        if (api?.gatewayUrl) urls.set(id, api.gatewayUrl);
      }),
  );
  return urls;
}

async function resolveDeclared(
  client: ApimClient,
  subject: SubscriberEntity,
  loadApi: ApiEntityLoader,
) {
  const refs = declaredApiRefs(subject.entity);
  const results = await Promise.all(
    refs.map(async apiRef => {
      try {
        const entity = await loadApi(apiRef);
        if (!entity) {
          throw coded(
            new NotFoundError(`No API entity ${apiRef} in the catalog`),
            'ENTITY_NOT_FOUND',
          );
        }
        return {
          apiRef,
          api: await resolveApi(client, entity, subject.applicationName),
        };
      } catch (error) {
        const e = error as Error & { code?: string };
        // API-M being down is not a property of one API: the whole read fails.
        if (e.name === 'UpstreamError') throw error;
        return { apiRef, code: e.code ?? 'NOT_FOUND', message: e.message };
      }
    }),
  );
  return {
    resolved: results.flatMap(r =>
      'api' in r ? [r as { apiRef: string; api: ApimApi }] : [],
    ),
    unresolved: results.flatMap(r =>
      'api' in r
        ? []
        : [r as { apiRef: string; code: string; message: string }],
    ),
  };
}

function apiView(api: ApimApi, apiRef?: string): ApiView {
  return {
    ...(apiRef ? { apiRef } : {}),
    apiId: api.id,
    name: api.name,
    version: api.version,
    context: api.context,
    tiers: api.tiers,
  };
}

function subscribed(
  s: ApimSubscription,
  gatewayUrl: string | undefined,
  apiRef?: string,
  api?: ApimApi,
): SubscribedApi {
  const info = api ?? s.api;
  return {
    ...(apiRef ? { apiRef } : {}),
    apiId: s.apiId,
    ...(info
      ? { name: info.name, version: info.version, context: info.context }
      : {}),
    subscriptionId: s.subscriptionId,
    tier: s.tier,
    status: s.status,
    ...(gatewayUrl ? { gatewayUrl } : {}),
  };
}
