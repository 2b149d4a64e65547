/**
 * A typed client for the devportal v3 calls of one API-M instance. It authenticates through the
 * TokenProvider (retrying once with a fresh token on a 401), turns WSO2's error envelope into
 * ApimError, and strips the secrets API-M echoes back before anything else sees a response.
 */
import { ApimError } from './ApimError';
import { HttpTransport } from './HttpTransport';
import { TokenProvider, parseJson } from './TokenProvider';
import type {
  ApimApi,
  ApimApplication,
  ApimApplicationKey,
  ApimKeyManager,
  ApimSubscription,
} from './types';
import type { InstanceConfig } from '../config';
import { resolveTokenEndpoint } from '../keymanager/tokenEndpoint';

const DEVPORTAL = '/api/am/devportal/v3';

interface CallOptions {
  method: string;
  path: string;
  /** The path with ids replaced by placeholders, for error messages and logs. */
  operation: string;
  body?: unknown;
}

export class ApimClient {
  readonly instanceId: string;
  readonly baseUrl: string;
  private readonly endpointSettings: Parameters<typeof resolveTokenEndpoint>[0];

  constructor(
    instance: InstanceConfig,
    private readonly transport: HttpTransport,
    private readonly tokens: TokenProvider,
  ) {
    this.instanceId = instance.id;
    this.baseUrl = instance.baseUrl;
    this.endpointSettings = {
      baseUrl: instance.baseUrl,
      keyManagers: instance.keyManagers,
      configKey: `apimCredentials.instances[].keyManagers of instance "${instance.id}"`,
    };
  }

  static create(instance: InstanceConfig): ApimClient {
    const transport = new HttpTransport({
      ca: instance.tls.ca,
      rejectUnauthorized: instance.tls.rejectUnauthorized,
      timeoutMs: instance.timeoutMs,
    });
    return new ApimClient(
      instance,
      transport,
      new TokenProvider(instance, transport),
    );
  }

  /** The transport, shared with the key manager verifier so both trust the same CA. */
  get http(): HttpTransport {
    return this.transport;
  }

  async listKeyManagers(): Promise<ApimKeyManager[]> {
    const body = await this.call<{ list?: ApimKeyManager[] }>({
      method: 'GET',
      path: '/key-managers',
      operation: 'GET /key-managers',
    });
    return (body.list ?? []).map(km => {
      // Where a secret may go is decided once, here, for every caller (CONTRACT.md 14.2 item 1).
      const endpoint = resolveTokenEndpoint(this.endpointSettings, km);
      return {
        id: km.id,
        name: km.name,
        displayName: km.displayName ?? km.name,
        type: km.type,
        enabled: Boolean(km.enabled),
        enableMapOAuthConsumerApps: Boolean(km.enableMapOAuthConsumerApps),
        tokenEndpoint: endpoint.tokenEndpoint,
        ...(endpoint.refused ? { tokenEndpointRefused: endpoint.refused } : {}),
      };
    });
  }

  /** Finds the application with exactly this name; WSO2's `query` matches substrings. */
  async findApplicationByName(
    name: string,
  ): Promise<ApimApplication | undefined> {
    const limit = 100;
    for (let offset = 0; ; offset += limit) {
      const page = await this.call<{
        list?: ApimApplication[];
        count?: number;
      }>({
        method: 'GET',
        path: `/applications?${new URLSearchParams({
          query: name,
          limit: String(limit),
          offset: String(offset),
        })}`,
        operation: 'GET /applications?query',
      });
      const list = page.list ?? [];
      const exact = list.find(app => app.name === name);
      if (exact)
        return {
          applicationId: exact.applicationId,
          name: exact.name,
          // CREATED (pending approval) or REJECTED matter to the caller (CONTRACT.md 14.1, 14.2).
          ...(exact.status ? { status: exact.status } : {}),
        };
      if (list.length < limit) return undefined;
    }
  }

  /**
   * Every application of the service account whose name matches `query`, all pages (at most
   * 100 pages of 100). WSO2 runs `query` as a SQL LIKE substring pattern in which `%` and `_` are
   * wildcards, case-insensitive from 4.4 and following the database collation on 4.2/4.3
   * (CONTRACT.md 4.2, 14.1).
   */
  async searchApplications(query: string): Promise<ApimApplication[]> {
    const limit = 100;
    const found: ApimApplication[] = [];
    for (let offset = 0; offset < 100 * limit; offset += limit) {
      const page = await this.call<{ list?: ApimApplication[] }>({
        method: 'GET',
        path: `/applications?${new URLSearchParams({
          query,
          limit: String(limit),
          offset: String(offset),
        })}`,
        operation: 'GET /applications?query',
      });
      const list = page.list ?? [];
      for (const app of list)
        found.push({ applicationId: app.applicationId, name: app.name });
      if (list.length < limit) break;
    }
    return found;
  }

  async createApplication(
    name: string,
    throttlingPolicy: string,
    description: string,
  ): Promise<ApimApplication> {
    const app = await this.call<ApimApplication>({
      method: 'POST',
      path: '/applications',
      operation: 'POST /applications',
      body: { name, throttlingPolicy, description, tokenType: 'JWT' },
    });
    return {
      applicationId: app.applicationId,
      name: app.name,
      ...(app.status ? { status: app.status } : {}),
    };
  }

  async listOAuthKeys(applicationId: string): Promise<ApimApplicationKey[]> {
    const body = await this.call<{ list?: unknown[] }>({
      method: 'GET',
      path: `/applications/${encodeURIComponent(applicationId)}/oauth-keys`,
      operation: 'GET /applications/{id}/oauth-keys',
    });
    return (body.list ?? []).map(toApplicationKey);
  }

  /**
   * The single-mapping read (CONTRACT.md 7.2): no owner check, `keyManager` is the key manager's
   * UUID, always asks the key manager. `null` when API-M answers 200 with an empty body, which it
   * does for an unknown application; an unknown mapping is a 500 with the generic body.
   */
  async getOAuthKey(
    applicationId: string,
    keyMappingId: string,
  ): Promise<ApimApplicationKey | null> {
    const body = await this.call<unknown>({
      method: 'GET',
      path: `/applications/${encodeURIComponent(
        applicationId,
      )}/oauth-keys/${encodeURIComponent(keyMappingId)}`,
      operation: 'GET /applications/{id}/oauth-keys/{keyMappingId}',
    });
    return body === undefined || body === null ? null : toApplicationKey(body);
  }

  async mapKeys(
    applicationId: string,
    request: {
      consumerKey: string;
      consumerSecret: string;
      keyManager: string;
      keyType: string;
    },
  ): Promise<ApimApplicationKey> {
    const body = await this.call<unknown>({
      method: 'POST',
      path: `/applications/${encodeURIComponent(applicationId)}/map-keys`,
      operation: 'POST /applications/{id}/map-keys',
      body: {
        consumerKey: request.consumerKey,
        consumerSecret: request.consumerSecret,
        keyManager: request.keyManager,
        keyType: request.keyType,
      },
    });
    return toApplicationKey(body);
  }

  /**
   * Removes a mapping from API-M; the client stays in its key manager. Uses DELETE (API-M 4.3+)
   * and falls back to clean-up on versions without it.
   *
   * @returns how: `deleted` (gateways are told, CONTRACT.md 9.2) or `cleaned-up` (gateways are not
   *   told and keep accepting the client's tokens until they resync, CONTRACT.md 9.1, 14.2 item 4)
   */
  async removeMapping(
    applicationId: string,
    keyMappingId: string,
  ): Promise<'deleted' | 'cleaned-up'> {
    const base = `/applications/${encodeURIComponent(
      applicationId,
    )}/oauth-keys/${encodeURIComponent(keyMappingId)}`;
    try {
      await this.call({
        method: 'DELETE',
        path: base,
        operation: 'DELETE /applications/{id}/oauth-keys/{keyMappingId}',
      });
      return 'deleted';
    } catch (error) {
      // API-M 4.2 has no DELETE route (405, or a 404 that is not "application not found").
      const noDeleteRoute =
        error instanceof ApimError &&
        (error.is(405) ||
          (error.is(404) && !/application/i.test(error.description ?? '')));
      if (!noDeleteRoute) throw error;
      await this.cleanUp(applicationId, keyMappingId);
      return 'cleaned-up';
    }
  }

  /**
   * Deletes an application with its mappings and subscriptions; mapped clients stay in their key
   * managers (CONTRACT.md 4.2). Used only for an application Backstage created in a failed attempt.
   */
  async deleteApplication(applicationId: string): Promise<void> {
    await this.call({
      method: 'DELETE',
      path: `/applications/${encodeURIComponent(applicationId)}`,
      operation: 'DELETE /applications/{id}',
    });
  }

  async cleanUp(applicationId: string, keyMappingId: string): Promise<void> {
    await this.call({
      method: 'POST',
      path: `/applications/${encodeURIComponent(
        applicationId,
      )}/oauth-keys/${encodeURIComponent(keyMappingId)}/clean-up`,
      operation: 'POST /applications/{id}/oauth-keys/{keyMappingId}/clean-up',
    });
  }

  /**
   * Published APIs matching a devportal search (`name:OrdersAPI version:1.0.0`), first 100
   * (CONTRACT.md 11; devportal-api.yaml `GET /apis`).
   */
  async searchApis(query: string): Promise<ApimApi[]> {
    const page = await this.call<{ list?: unknown[] }>({
      method: 'GET',
      path: `/apis?${new URLSearchParams({ query, limit: '100' })}`,
      operation: 'GET /apis?query',
    });
    return (page.list ?? []).map(toApi);
  }

  /** @throws ApimError 404 (unknown or not published) or 403 (not visible to the service account) */
  async getApi(apiId: string): Promise<ApimApi> {
    return toApi(
      await this.call<unknown>({
        method: 'GET',
        path: `/apis/${encodeURIComponent(apiId)}`,
        operation: 'GET /apis/{apiId}',
      }),
    );
  }

  /** Every subscription of an application, all pages (CONTRACT.md 11). */
  async listSubscriptions(applicationId: string): Promise<ApimSubscription[]> {
    const limit = 100;
    const found: ApimSubscription[] = [];
    for (let offset = 0; offset < 100 * limit; offset += limit) {
      const page = await this.call<{ list?: unknown[] }>({
        method: 'GET',
        path: `/subscriptions?${new URLSearchParams({
          applicationId,
          limit: String(limit),
          offset: String(offset),
        })}`,
        operation: 'GET /subscriptions?applicationId',
      });
      const list = page.list ?? [];
      found.push(...list.map(toSubscription));
      if (list.length < limit) break;
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
  async subscribe(
    applicationId: string,
    apiId: string,
    tier: string,
  ): Promise<ApimSubscription> {
    return toSubscription(
      await this.call<unknown>({
        method: 'POST',
        path: '/subscriptions',
        operation: 'POST /subscriptions',
        body: { applicationId, apiId, throttlingPolicy: tier },
      }),
    );
  }

  async unsubscribe(subscriptionId: string): Promise<void> {
    await this.call({
      method: 'DELETE',
      path: `/subscriptions/${encodeURIComponent(subscriptionId)}`,
      operation: 'DELETE /subscriptions/{subscriptionId}',
    });
  }

  private async call<T>(options: CallOptions, retried = false): Promise<T> {
    const token = await this.tokens.getToken();
    const response = await this.transport.send({
      method: options.method,
      url: `${this.baseUrl}${DEVPORTAL}${options.path}`,
      operation: options.operation,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(options.body !== undefined
          ? { 'content-type': 'application/json' }
          : {}),
      },
      body:
        options.body !== undefined ? JSON.stringify(options.body) : undefined,
    });
    const text = await this.transport.readText(response, options.operation);
    if (response.status === 401 && !retried) {
      // The token may have been revoked or expired early: one retry with a fresh one.
      this.tokens.invalidate(token);
      return this.call<T>(options, true);
    }
    if (!response.ok) {
      throw toHttpError(response.status, text, options.operation);
    }
    if (!text) return undefined as T;
    return parseJson(text, options.operation) as T;
  }
}

function toHttpError(
  status: number,
  text: string,
  operation: string,
): ApimError {
  let envelope: { code?: unknown; message?: unknown; description?: unknown } =
    {};
  try {
    envelope = JSON.parse(text) ?? {};
  } catch {
    // WSO2 and proxies in front of it sometimes answer with HTML; the status still says enough.
  }
  const code =
    typeof envelope.code === 'number'
      ? envelope.code
      : Number(envelope.code) || status;
  const message = typeof envelope.message === 'string' ? envelope.message : '';
  const description =
    typeof envelope.description === 'string' ? envelope.description : undefined;
  return new ApimError(
    'http',
    operation,
    `${operation} failed with HTTP ${status}${
      code !== status ? ` (code ${code})` : ''
    }${message ? `: ${message}` : ''}`,
    status,
    code,
    description,
  );
}

/** Keeps only what we use; `consumerSecret`, `consumerSecrets` and `token` are dropped here. */
function toApplicationKey(raw: unknown): ApimApplicationKey {
  const key = (raw ?? {}) as Record<string, unknown>;
  if (
    typeof key.keyMappingId !== 'string' ||
    typeof key.consumerKey !== 'string'
  ) {
    throw new ApimError(
      'malformed',
      'ApplicationKey',
      'API-M returned an application key without keyMappingId or consumerKey',
    );
  }
  return {
    keyMappingId: key.keyMappingId,
    keyManager: String(key.keyManager ?? ''),
    consumerKey: key.consumerKey,
    supportedGrantTypes: Array.isArray(key.supportedGrantTypes)
      ? key.supportedGrantTypes.map(String)
      : [],
    keyType: key.keyType === 'SANDBOX' ? 'SANDBOX' : 'PRODUCTION',
    mode: typeof key.mode === 'string' ? key.mode : null,
    keyState: typeof key.keyState === 'string' ? key.keyState : null,
  };
}

function toApi(raw: unknown): ApimApi {
  const api = (raw ?? {}) as Record<string, unknown>;
  if (typeof api.id !== 'string' || typeof api.name !== 'string') {
    throw new ApimError(
      'malformed',
      'APIInfo',
      'API-M returned an API without id or name',
    );
  }
  return {
    id: api.id,
    name: api.name,
    version: String(api.version ?? ''),
    context: String(api.context ?? ''),
    tiers: Array.isArray(api.throttlingPolicies)
      ? api.throttlingPolicies.map(String)
      : [],
    ...(typeof api.lifeCycleStatus === 'string'
      ? { lifeCycleStatus: api.lifeCycleStatus }
      : {}),
  };
}

function toSubscription(raw: unknown): ApimSubscription {
  const sub = (raw ?? {}) as Record<string, unknown>;
  if (typeof sub.subscriptionId !== 'string' || typeof sub.apiId !== 'string') {
    throw new ApimError(
      'malformed',
      'Subscription',
      'API-M returned a subscription without subscriptionId or apiId',
    );
  }
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
