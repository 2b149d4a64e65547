/**
 * The subscription routes of the apim-credentials backend (issue 16), for the entity tab:
 * `GET /entities/:kind/:namespace/:name/subscriptions`, `PUT`/`DELETE .../:environment/:apiRef`
 * and `POST .../:environment/sync[?dryRun=true]`. Errors carry the backend's message and code.
 */
import { ResponseError } from '@backstage/errors';
import {
  APIM_CREDENTIALS_PLUGIN_ID,
  APIM_CREDENTIALS_SOURCE_HEADER,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';

export interface SubscribedApi {
  apiRef?: string;
  apiId?: string;
  name?: string;
  version?: string;
  subscriptionId: string;
  tier: string;
  status: string;
}

export interface EnvironmentSubscriptions {
  environment: string;
  application: { applicationId: string; name: string } | null;
  subscribed: SubscribedApi[];
  missing: Array<{
    apiRef?: string;
    apiId?: string;
    name?: string;
    version?: string;
    tiers?: string[];
  }>;
  undeclared: SubscribedApi[];
  unresolved: Array<{ apiRef: string; code: string; message: string }>;
}

export interface SyncPlanItem {
  apiRef?: string;
  apiId: string;
  name?: string;
  action: 'subscribe' | 'unsubscribe';
  outcome?: string;
  error?: { message: string };
}

export interface SubscriptionsClient {
  list(
    entityRef: string,
  ): Promise<{ environments: EnvironmentSubscriptions[] }>;
  subscribe(
    entityRef: string,
    environment: string,
    apiRef: string,
  ): Promise<unknown>;
  unsubscribe(
    entityRef: string,
    environment: string,
    apiRef: string,
  ): Promise<unknown>;
  sync(
    entityRef: string,
    environment: string,
    options: { dryRun: boolean; removeUndeclared: boolean },
  ): Promise<{ items?: SyncPlanItem[]; results?: SyncPlanItem[] }>;
}

/** `component:default/x` -> `component/default/x` (the backend's entity path). */
function entityPath(entityRef: string): string {
  const [kind, rest] = entityRef.split(':');
  return `${encodeURIComponent(kind)}/${rest
    .split('/')
    .map(encodeURIComponent)
    .join('/')}`;
}

export function createSubscriptionsClient(deps: {
  discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  fetchApi: { fetch: typeof fetch };
}): SubscriptionsClient {
  async function call<T>(
    method: string,
    entityRef: string,
    path: string,
    body?: unknown,
  ): Promise<T> {
    const base = await deps.discoveryApi.getBaseUrl(APIM_CREDENTIALS_PLUGIN_ID);
    const response = await deps.fetchApi.fetch(
      `${base}/entities/${entityPath(entityRef)}/subscriptions${path}`,
      {
        method,
        headers: {
          accept: 'application/json',
          [APIM_CREDENTIALS_SOURCE_HEADER]: 'ui',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
    );
    if (!response.ok) {
      const error = await ResponseError.fromResponse(response);
      throw new Error(error.body?.error?.message ?? error.message);
    }
    return (await response.json()) as T;
  }
  const one = (environment: string, apiRef: string) =>
    `/${encodeURIComponent(environment)}/${encodeURIComponent(apiRef)}`;
  return {
    list: entityRef => call('GET', entityRef, ''),
    subscribe: (entityRef, environment, apiRef) =>
      call('PUT', entityRef, one(environment, apiRef), {}),
    unsubscribe: (entityRef, environment, apiRef) =>
      call('DELETE', entityRef, one(environment, apiRef)),
    sync: (entityRef, environment, options) =>
      call(
        'POST',
        entityRef,
        `/${encodeURIComponent(environment)}/sync${
          options.dryRun ? '?dryRun=true' : ''
        }`,
        { removeUndeclared: options.removeUndeclared },
      ),
  };
}
