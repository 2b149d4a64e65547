/**
 * Subscriptions of an entity's API-M application, compared with the entity's `consumesApis`
 * (issue 16, CONTRACT.md 11). It acts only on the application bound to the entity
 * (ApplicationBindings): the annotation names an application, the binding lets the entity use it.
 * Auditing and permissions are the routes' job; this class talks to API-M and decides.
 */
import type { Entity } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import type { ApimClient } from '../apim/ApimClient';
import type { ApimInstances } from '../apim/ApimInstances';
import type { ApimApi } from '../apim/types';
import type { EnvironmentConfig } from '../config';
import { coded } from '../errors';
import type { ApplicationBindings } from '../service/ApplicationBindings';
import { describeApiEntity, resolveApi } from './apiResolver';
import {
  isAlreadySubscribed,
  translateSubscriptionError,
} from './subscriptionErrors';
import {
  ApiEntityLoader,
  SubscriberEntity,
  SubscriptionsView,
  buildSubscriptionsView,
  declaredApiRefs,
} from './subscriptionView';

export type {
  ApiEntityLoader,
  ApiView,
  SubscribedApi,
  SubscriberEntity,
  SubscriptionsView,
} from './subscriptionView';

/** One change of a sync plan. */
export interface SyncItem {
  apiRef?: string;
  apiId: string;
  name?: string;
  version?: string;
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

  /** The entity's declared APIs (subscriptionView.ts). */
  declaredApiRefs(entity: Entity): string[] {
    return declaredApiRefs(entity);
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

  /** Per environment: subscribed (tier, status, gateway URL), missing, undeclared, unresolved. */
  async view(
    envId: string,
    subject: SubscriberEntity,
    loadApi: ApiEntityLoader,
  ): Promise<SubscriptionsView> {
    const { env, app } = await this.application(envId, subject);
    return buildSubscriptionsView(env, app, subject, loadApi);
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

  /** Unsubscribes from the API entity's API (resolved in API-M first); none is `unchanged`. */
  async unsubscribeEntity(
    envId: string,
    subject: SubscriberEntity,
    apiEntity: Entity,
  ) {
    const env = this.environment(envId);
    const api = await resolveApi(
      env.client,
      apiEntity,
      subject.applicationName,
    );
    const done = await this.unsubscribe(
      envId,
      subject,
      api.id,
      describeApiEntity(apiEntity),
    );
    return { ...done, api };
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
      version: m.version,
      action: 'subscribe',
    }));
    if (options.removeUndeclared) {
      for (const u of view.undeclared) {
        items.push({
          apiId: u.apiId!,
          name: u.name,
          version: u.version,
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
