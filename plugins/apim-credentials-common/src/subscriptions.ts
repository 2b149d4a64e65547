/**
 * Subscriptions of an entity's API-M application (issue 16): the shapes of the backend's
 * subscription routes, and the client methods that call them. They share the credentials
 * client's request path (token, task id, source header, coded errors): ApimCredentialsClient
 * mixes them in.
 */
import type { RequestOptions } from './client';
import type { RequestFn } from './http';

/** An API as the subscription routes name it. @public */
export interface ApimApiSummary {
  /** The API entity (`api:default/orders-api`); absent for an API no entity declares. */
  apiRef?: string;
  /** API-M's id of the API. */
  apiId?: string;
  name?: string;
  version?: string;
  context?: string;
  /** Subscription tiers the API offers (missing APIs). */
  tiers?: string[];
}

/**
 * A subscription of the entity's application.
 *
 * @public
 */
export interface ApimSubscribedApi extends ApimApiSummary {
  subscriptionId: string;
  tier: string;
  /** `UNBLOCKED`, `ON_HOLD` (subscription workflow), `BLOCKED`, `PROD_ONLY_BLOCKED`... */
  status: string;
  /**
   * Where to call the API through the gateway, as API-M reports it (`endpointURLs`, e.g.
   * `https://gw:8243/orders/1.0.0`); absent when API-M reports none.
   */
  gatewayUrl?: string;
}

/** One environment's subscriptions next to the entity's `consumesApis`. @public */
export interface EnvironmentSubscriptions {
  environment: string;
  /** The bound application; null when API-M has none yet (provide a client first). */
  application: { applicationId: string; name: string } | null;
  /** Declared and subscribed. */
  subscribed: ApimSubscribedApi[];
  /** Declared in the catalog, not subscribed. */
  missing: ApimApiSummary[];
  /** Subscribed, not declared in the catalog. */
  undeclared: ApimSubscribedApi[];
  /** Declared APIs API-M could not resolve, with the stable code and the reason. */
  unresolved: Array<{ apiRef: string; code: string; message: string }>;
}

/** `GET /entities/:kind/:namespace/:name/subscriptions`. @public */
export interface EntitySubscriptions {
  entityRef: string;
  /** The API entity refs the entity declares (`consumesApis`), lower case. */
  declared: string[];
  environments: EnvironmentSubscriptions[];
}

/** One API of a sync: planned (dry run) or applied with its outcome. @public */
export interface SubscriptionSyncItem {
  apiRef?: string;
  apiId: string;
  name?: string;
  version?: string;
  action: 'subscribe' | 'unsubscribe';
  outcome?: 'succeeded' | 'unchanged' | 'failed';
  error?: { code: string; message: string };
}

/** `POST .../subscriptions/:environment/sync`: `items` in a dry run, `results` otherwise. @public */
export interface SubscriptionSyncResult {
  dryRun: boolean;
  environment: string;
  application: { applicationId: string; name: string } | null;
  items?: SubscriptionSyncItem[];
  results?: SubscriptionSyncItem[];
  unresolved: Array<{ apiRef: string; code: string; message: string }>;
}

/** `PUT` / `DELETE .../subscriptions/:environment/:apiRef`. @public */
export interface SubscriptionChangeResult {
  outcome: 'succeeded' | 'unchanged';
  apiRef: string;
  apiId?: string;
}

/**
 * The subscription routes of the backend. Changes need `apim.subscriptions.manage` on the entity
 * (403 `PERMISSION_DENIED` otherwise) and are audited.
 *
 * @public
 */
export interface ApimSubscriptionsApi {
  /** Per environment (or the one given), the entity's subscriptions against its `consumesApis`. */
  getSubscriptions(
    entityRef: string,
    query?: { environment?: string },
    options?: RequestOptions,
  ): Promise<EntitySubscriptions>;
  /**
   * Subscribes the entity's application to the API entity's API; 400
   * `SUBSCRIPTION_TIER_NOT_ALLOWED` lists the allowed tiers, 400 `APPLICATION_PENDING_APPROVAL`,
   * 404 `API_NOT_FOUND` (not published or not visible).
   */
  subscribe(
    target: { entityRef: string; environment: string; apiRef: string },
    body?: { tier?: string },
    options?: RequestOptions,
  ): Promise<SubscriptionChangeResult>;
  unsubscribe(
    target: { entityRef: string; environment: string; apiRef: string },
    options?: RequestOptions,
  ): Promise<SubscriptionChangeResult>;
  /** Makes the subscriptions match `consumesApis`; `dryRun` answers the plan only. */
  syncSubscriptions(
    target: { entityRef: string; environment: string },
    body?: { removeUndeclared?: boolean },
    options?: RequestOptions & { dryRun?: boolean },
  ): Promise<SubscriptionSyncResult>;
}

/**
 * The subscription methods over `request`, for ApimCredentialsClient.
 *
 * @param entityPath - `component:default/x` -> `component/default/x` (URL-encoded)
 * @internal
 */
export function subscriptionMethods(
  request: RequestFn,
  entityPath: (entityRef: string) => string,
): ApimSubscriptionsApi {
  const base = (entityRef: string) =>
    `/entities/${entityPath(entityRef)}/subscriptions`;
  const one = (t: { entityRef: string; environment: string; apiRef: string }) =>
    `${base(t.entityRef)}/${encodeURIComponent(
      t.environment,
    )}/${encodeURIComponent(t.apiRef)}`;
  return {
    getSubscriptions: (entityRef, query, options) =>
      request(
        'GET',
        `${base(entityRef)}${
          query?.environment
            ? `?environment=${encodeURIComponent(query.environment)}`
            : ''
        }`,
        undefined,
        options,
      ),
    subscribe: (target, body, options) =>
      request('PUT', one(target), body ?? {}, options),
    unsubscribe: (target, options) =>
      request('DELETE', one(target), undefined, options),
    syncSubscriptions: (target, body, options) =>
      request(
        'POST',
        `${base(target.entityRef)}/${encodeURIComponent(
          target.environment,
        )}/sync${options?.dryRun ? '?dryRun=true' : ''}`,
        body ?? {},
        options,
      ),
  };
}
