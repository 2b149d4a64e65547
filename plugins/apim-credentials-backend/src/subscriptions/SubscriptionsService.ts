/**
 * Subscriptions of an entity's API-M application, compared with the entity's `consumesApis`
 * (issue 16, CONTRACT.md 11). It acts only on the application bound to the entity
 * (ApplicationBindings): the annotation names an application, the binding lets the entity use it.
 * Auditing and permissions are the routes' job; this class talks to API-M and decides.
 */
import {
  Entity,
  RELATION_CONSUMES_API,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import type { ApimClient } from '../apim/ApimClient';
import type { ApimInstances } from '../apim/ApimInstances';
import type { ApimApi, ApimSubscription } from '../apim/types';
import type { EnvironmentConfig } from '../config';
import { coded } from '../errors';
import type { ApplicationBindings } from '../service/ApplicationBindings';
import { describeApiEntity, resolveApi } from './apiResolver';
import {
  isAlreadySubscribed,
  translateSubscriptionError,
} from './subscriptionErrors';

/** The entity as the routes read it with the caller's credentials. */
export interface SubscriberEntity {
  entityRef: string;
  applicationName: string;
  entity: Entity;
}

/** An API entity the caller may see, loaded by ref; undefined when the catalog has none. */
export type ApiEntityLoader = (apiRef: string) => Promise<Entity | undefined>;

export interface ApiView {
  apiRef?: string;
  apiId?: string;
  name?: string;
  version?: string;
  context?: string;
  tiers?: string[];
}

export interface SubscribedApi extends ApiView {
  subscriptionId: string;
  tier: string;
  status: string;
}

export interface SubscriptionsView {
  environment: string;
  application: { applicationId: string; name: string } | null;
  subscribed: SubscribedApi[];
  missing: ApiView[];
  undeclared: SubscribedApi[];
  /** Declared APIs that could not be resolved in API-M, with the reason. */
  unresolved: Array<{ apiRef: string; code: string; message: string }>;
}

export interface SyncItem {
  apiRef?: string;
  apiId: string;
  name?: string;
  action: 'subscribe' | 'unsubscribe';
  tier?: string;
  subscriptionId?: string;
}

export class SubscriptionsService {
  constructor(
    private readonly deps: {
      environments: EnvironmentConfig[];
      instances: ApimInstances;
      bindings: ApplicationBindings;
      /** `apimCredentials.subscriptions.allowedTiers`: when set, only these tiers may be used. */
      allowedTiers?: string[];
    },
  ) {}

  /** @throws 404 `UNKNOWN_ENVIRONMENT` */
  environment(id: string): EnvironmentConfig & { client: ApimClient } {
    const env = this.deps.environments.find(e => e.id === id);
    if (!env) {
      throw coded(
        new NotFoundError(`Unknown environment "${id}"`),
        'UNKNOWN_ENVIRONMENT',
      );
    }
    return { ...env, client: this.deps.instances.clientFor(env) };
  }

  get environmentIds(): string[] {
    return this.deps.environments.map(e => e.id);
  }

  /** The entity's declared APIs: `consumesApi` relations, else `spec.consumesApis`. */
  declaredApiRefs(entity: Entity): string[] {
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
   * The bound application in the environment, or null when API-M has none yet.
   *
   * @throws 403 when the application is bound to another entity or to none (ApplicationBindings)
   */
  async application(envId: string, subject: SubscriberEntity) {
    const env = this.environment(envId);
    const { app } = await this.deps.bindings.check(
      env,
      subject.entityRef,
      subject.applicationName,
    );
    return { env, app: app ?? null };
  }

  /** Per environment: subscribed (tier, status), missing, undeclared, unresolved. */
  async view(
    envId: string,
    subject: SubscriberEntity,
    loadApi: ApiEntityLoader,
  ): Promise<SubscriptionsView> {
    const { env, app } = await this.application(envId, subject);
    const declared = await this.resolveDeclared(env.client, subject, loadApi);
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
    return {
      environment: env.id,
      application: app
        ? { applicationId: app.applicationId, name: app.name }
        : null,
      subscribed: declared.resolved
        .filter(d => byApiId.has(d.api.id))
        .map(d => subscribed(byApiId.get(d.api.id)!, d.apiRef, d.api)),
      missing: declared.resolved
        .filter(d => !byApiId.has(d.api.id))
        .map(d => apiView(d.api, d.apiRef)),
      undeclared: subs
        .filter(s => !declaredIds.has(s.apiId))
        .map(s => subscribed(s)),
      unresolved: declared.unresolved,
    };
  }

  private async resolveDeclared(
    client: ApimClient,
    subject: SubscriberEntity,
    loadApi: ApiEntityLoader,
  ) {
    const refs = this.declaredApiRefs(subject.entity);
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
          const e = error as Error & { code?: string; statusCode?: number };
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

  /**
   * The tiers a subscription to `api` may use: the API's tiers, narrowed to the configured
   * allow-list when there is one.
   */
  allowedTiers(api: ApimApi): string[] {
    const allow = this.deps.allowedTiers;
    return allow ? api.tiers.filter(t => allow.includes(t)) : [...api.tiers];
  }

  /** @throws 400 `SUBSCRIPTION_TIER_NOT_ALLOWED` listing the allowed tiers */
  pickTier(api: ApimApi, label: string, requested?: string): string {
    const allowed = this.allowedTiers(api);
    if (requested ? allowed.includes(requested) : allowed.length > 0) {
      return requested ?? allowed[0];
    }
    throw coded(
      new InputError(
        allowed.length
          ? `tier "${requested}" is not allowed for ${label}; allowed: ${allowed.join(
              ', ',
            )}`
          : `${label} offers no tier this Backstage may use (API tiers: ${
              api.tiers.join(', ') || 'none'
            }; apimCredentials.subscriptions.allowedTiers: ${(
              this.deps.allowedTiers ?? []
            ).join(', ')})`,
      ),
      'SUBSCRIPTION_TIER_NOT_ALLOWED',
    );
  }

  /**
   * Subscribes the bound application to the API entity's API. Idempotent: an existing
   * subscription (or API-M's 409) is `unchanged`.
   *
   * @throws 404 `APPLICATION_NOT_FOUND` when API-M has no application yet; the translated API-M
   *   answers of subscriptionErrors.ts
   */
  async subscribe(
    envId: string,
    subject: SubscriberEntity,
    apiEntity: Entity,
    tier?: string,
  ) {
    const { env, app } = await this.requireApplication(envId, subject);
    const label = describeApiEntity(apiEntity);
    const api = await resolveApi(
      env.client,
      apiEntity,
      subject.applicationName,
    );
    const ctx = {
      instance: env.instance,
      applicationName: app.name,
      api: label,
    };
    const chosen = this.pickTier(api, label, tier);
    try {
      const existing = (
        await env.client.listSubscriptions(app.applicationId)
      ).find(s => s.apiId === api.id);
      if (existing)
        return {
          outcome: 'unchanged' as const,
          app,
          api,
          subscription: existing,
        };
      const subscription = await env.client.subscribe(
        app.applicationId,
        api.id,
        chosen,
      );
      return { outcome: 'succeeded' as const, app, api, subscription };
    } catch (error) {
      if (isAlreadySubscribed(error)) {
        return {
          outcome: 'unchanged' as const,
          app,
          api,
          subscription: undefined,
        };
      }
      throw translateSubscriptionError(error, ctx);
    }
  }

  /** Removes the application's subscription to `apiId`; none is `unchanged`. */
  async unsubscribe(
    envId: string,
    subject: SubscriberEntity,
    apiId: string,
    label: string,
  ) {
    const { env, app } = await this.requireApplication(envId, subject);
    const ctx = {
      instance: env.instance,
      applicationName: app.name,
      api: label,
    };
    try {
      const existing = (
        await env.client.listSubscriptions(app.applicationId)
      ).find(s => s.apiId === apiId);
      if (!existing) return { outcome: 'unchanged' as const, app };
      await env.client.unsubscribe(existing.subscriptionId);
      return { outcome: 'succeeded' as const, app, subscription: existing };
    } catch (error) {
      throw translateSubscriptionError(error, ctx);
    }
  }

  /**
   * The plan that makes the subscriptions match `consumesApis`: subscribe the missing ones (first
   * allowed tier), unsubscribe undeclared ones only with `removeUndeclared`.
   */
  async plan(
    envId: string,
    subject: SubscriberEntity,
    loadApi: ApiEntityLoader,
    options: { removeUndeclared: boolean },
  ): Promise<{ view: SubscriptionsView; items: SyncItem[] }> {
    const view = await this.view(envId, subject, loadApi);
    const items: SyncItem[] = view.missing.map(m => ({
      apiRef: m.apiRef,
      apiId: m.apiId!,
      name: m.name,
      action: 'subscribe',
    }));
    if (options.removeUndeclared) {
      for (const u of view.undeclared) {
        items.push({
          apiId: u.apiId!,
          name: u.name,
          action: 'unsubscribe',
          subscriptionId: u.subscriptionId,
        });
      }
    }
    return { view, items };
  }

  private async requireApplication(envId: string, subject: SubscriberEntity) {
    const { env, app } = await this.application(envId, subject);
    if (!app) {
      throw coded(
        new NotFoundError(
          `API-M instance "${env.instance}" has no application "${subject.applicationName}" yet; provide a client for ${subject.entityRef} in ${env.id} first (it creates the application)`,
        ),
        'APPLICATION_NOT_FOUND',
      );
    }
    return { env, app };
  }
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
  };
}
