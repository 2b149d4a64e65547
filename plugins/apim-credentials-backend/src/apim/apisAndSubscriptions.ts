/**
 * Published APIs and an application's subscriptions to them (devportal v3 `/apis`,
 * `/subscriptions`, CONTRACT.md 11).
 */
import { DevportalCall, getList, listPages, recordWith } from './devportalCall';
import type { ApimApi, ApimSubscription } from './types';

/**
 * Published APIs matching a devportal search (`name:OrdersAPI version:1.0.0`), first 100
 * (CONTRACT.md 11; devportal-api.yaml `GET /apis`).
 */
export async function searchApis(
  call: DevportalCall,
  query: string,
): Promise<ApimApi[]> {
  const list = await getList(
    call,
    `/apis?${new URLSearchParams({ query, limit: '100' })}`,
    'GET /apis?query',
  );
  return list.map(toApi);
}

/** @throws ApimError 404 (unknown or not published) or 403 (not visible to the service account) */
export async function getApi(
  call: DevportalCall,
  apiId: string,
): Promise<ApimApi> {
  return toApi(
    await call<unknown>({
      method: 'GET',
      path: `/apis/${encodeURIComponent(apiId)}`,
      operation: 'GET /apis/{apiId}',
    }),
  );
}

/** Every subscription of an application, all pages (CONTRACT.md 11). */
export async function listSubscriptions(
  call: DevportalCall,
  applicationId: string,
): Promise<ApimSubscription[]> {
  const found: ApimSubscription[] = [];
  for await (const list of listPages<unknown>(call, {
    path: '/subscriptions',
    params: { applicationId },
    operation: 'GET /subscriptions?applicationId',
    maxPages: 100,
  })) {
    found.push(...list.map(toSubscription));
  }
  return found;
}

/**
 * Always 201 with the subscription; under a subscription workflow its status is `ON_HOLD`
 * (CONTRACT.md 11, 14.1).
 *
 * @throws ApimError 409 already subscribed, 400 "Workflow status is not Approved" or a tier the
 *   API does not offer, 404/403 for an API not published or not visible
 */
export async function subscribe(
  call: DevportalCall,
  applicationId: string,
  apiId: string,
  tier: string,
): Promise<ApimSubscription> {
  return toSubscription(
    await call<unknown>({
      method: 'POST',
      path: '/subscriptions',
      operation: 'POST /subscriptions',
      body: { applicationId, apiId, throttlingPolicy: tier },
    }),
  );
}

export async function unsubscribe(
  call: DevportalCall,
  subscriptionId: string,
): Promise<void> {
  await call({
    method: 'DELETE',
    path: `/subscriptions/${encodeURIComponent(subscriptionId)}`,
    operation: 'DELETE /subscriptions/{subscriptionId}',
  });
}

function toApi(raw: unknown): ApimApi {
  const api = recordWith(raw, ['id', 'name'], 'APIInfo', 'an API');
  return {
    id: api.id,
    name: api.name,
    version: String(api.version ?? ''),
    context: String(api.context ?? ''),
    // The listing's APIInfo names tiers in throttlingPolicies; GET /apis/{apiId}'s full API
    // object in tiers[].tierName (devportal-api.yaml APIInfo, API).
    tiers: tiersOf(api),
    ...(typeof api.lifeCycleStatus === 'string'
      ? { lifeCycleStatus: api.lifeCycleStatus }
      : {}),
    ...gatewayUrlOf(api.endpointURLs),
  };
}

/** The subscription tiers an API offers, from either shape of WSO2's API object. */
function tiersOf(api: Record<string, unknown>): string[] {
  if (Array.isArray(api.throttlingPolicies)) {
    return api.throttlingPolicies.map(String);
  }
  if (!Array.isArray(api.tiers)) return [];
  return api.tiers.flatMap(t =>
    typeof t?.tierName === 'string' ? [t.tierName as string] : [],
  );
}

/**
 * The URL a client calls the API at: the first gateway environment's https URL, else its http
 * one, from the full API object's `endpointURLs` (only GET /apis/{apiId} has them).
 */
function gatewayUrlOf(raw: unknown): { gatewayUrl?: string } {
  if (!Array.isArray(raw)) return {};
  const urls = raw.map(e => (e as { URLs?: Record<string, unknown> })?.URLs);
  for (const kind of ['https', 'http']) {
    const found = urls.find(u => typeof u?.[kind] === 'string' && u[kind]);
    if (found) return { gatewayUrl: found[kind] as string };
  }
  return {};
}

function toSubscription(raw: unknown): ApimSubscription {
  const sub = recordWith(
    raw,
    ['subscriptionId', 'apiId'],
    'Subscription',
    'a subscription',
  );
  const info = sub.apiInfo as Record<string, unknown> | null | undefined;
  return {
    subscriptionId: sub.subscriptionId,
    apiId: sub.apiId,
    ...(info && typeof info.name === 'string'
      ? {
          api: {
            id: sub.apiId,
            name: info.name,
            version: String(info.version ?? ''),
            context: String(info.context ?? ''),
          },
        }
      : {}),
    tier: String(sub.throttlingPolicy ?? ''),
    status: String(sub.status ?? ''),
  };
}
