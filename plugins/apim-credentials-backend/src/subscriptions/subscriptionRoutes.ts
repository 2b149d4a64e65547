/**
 * REST routes of subscriptions (issue 16), beside the credentials routes:
 *
 * - `GET /entities/:kind/:namespace/:name/subscriptions[?environment=]`: per environment, the
 *   bound application's subscriptions joined with the entity's `consumesApis`, with the gateway
 *   URL of each subscribed API (`apim.credentials.read`);
 * - `PUT .../subscriptions/:environment/:apiRef` `{ tier? }`: subscribe to one API entity's API
 *   (201 subscribed, 200 already subscribed);
 * - `DELETE .../subscriptions/:environment/:apiRef`: unsubscribe (200, `unchanged` when none);
 * - `POST .../subscriptions/:environment/sync[?dryRun=true]` `{ removeUndeclared? }`: the plan,
 *   or the plan applied with per-API results (subscriptionSync.ts).
 *
 * Changing needs `apim.subscriptions.manage` on the entity. Every change, allowed or not, is an
 * audit row naming the API and an auditor event (subscriptionAudit.ts).
 */
import express, { Request } from 'express';
import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotAllowedError } from '@backstage/errors';
import {
  apimCredentialsReadPermission,
  entityPathSchema,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { AuditTrail } from '../service/AuditTrail';
import { coded } from '../errors';
import type { Access } from '../access';
import { parse } from '../parse';
import type { Caller } from '../service/ProvisioningService';
import { apiNameOf } from './apiResolver';
import { createAuditedChange } from './subscriptionAudit';
import {
  apiEntityOf,
  apiRefOf,
  changePathSchema,
  subscribeBodySchema,
  viewQuerySchema,
} from './subscriptionRequests';
import { registerSyncRoute } from './subscriptionSync';
import type { SubscriptionsService } from './SubscriptionsService';

/** What the subscription routes need; the router passes its own instances. */
export interface SubscriptionRoutesDeps {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  catalog: CatalogService;
  trail: AuditTrail;
  access: Pick<Access, 'isAllowed' | 'entityOf'>;
  callerOf(req: Request, credentials: BackstageCredentials): Caller;
  subscriptions: SubscriptionsService;
}

/** Registers the subscription routes on the plugin's router (before its error handler). */
export function registerSubscriptionRoutes(
  router: express.Router,
  deps: SubscriptionRoutesDeps,
): void {
  const { httpAuth, catalog, access, subscriptions } = deps;
  const change = createAuditedChange(deps);
  const apiLoader = (credentials: BackstageCredentials) => (apiRef: string) =>
    catalog.getEntityByRef(apiRef, { credentials });

  /** The entity and, for PUT/DELETE, the API entity the path names, read as the caller. */
  async function changeRequest(req: Request) {
    const params = parse(changePathSchema, req.params, 'path');
    const credentials = await httpAuth.credentials(req);
    const subject = await access.entityOf(params, credentials);
    const apiEntity = await apiEntityOf(
      catalog,
      params.apiRef,
      subject.entity.metadata.namespace ?? 'default',
      credentials,
    );
    const about = {
      entityRef: subject.entityRef,
      environment: params.environment,
      applicationName: subject.applicationName,
      apiRef: apiRefOf(apiEntity),
      apiName: apiNameOf(apiEntity),
    };
    return { params, credentials, subject, apiEntity, about };
  }

  router.get(
    '/entities/:kind/:namespace/:name/subscriptions',
    async (req, res) => {
      const params = parse(entityPathSchema, req.params, 'entity');
      const query = parse(viewQuerySchema, req.query, 'query');
      const credentials = await httpAuth.credentials(req);
      const subject = await access.entityOf(params, credentials);
      const readable = await access.isAllowed(
        credentials,
        apimCredentialsReadPermission,
        subject.entityRef,
      );
      if (!readable) {
        throw coded(
          new NotAllowedError(
            `You may not read the API-M credentials of ${subject.entityRef}`,
          ),
          'PERMISSION_DENIED',
        );
      }
      const ids = query.environment
        ? [query.environment]
        : subscriptions.environmentIds;
      const environments = await Promise.all(
        ids.map(id => subscriptions.view(id, subject, apiLoader(credentials))),
      );
      res.json({
        entityRef: subject.entityRef,
        declared: subscriptions.declaredApiRefs(subject.entity),
        environments,
      });
    },
  );

  router.put(
    '/entities/:kind/:namespace/:name/subscriptions/:environment/:apiRef',
    async (req, res) => {
      const body = parse(subscribeBodySchema, req.body ?? {}, 'body');
      const { params, credentials, subject, apiEntity, about } =
        await changeRequest(req);
      const done = await change(req, credentials, 'subscribe', about, () =>
        subscriptions.subscribe(
          params.environment,
          subject,
          apiEntity,
          body.tier,
        ),
      );
      res.status(done.outcome === 'succeeded' ? 201 : 200).json({
        outcome: done.outcome,
        apiRef: about.apiRef,
        apiId: done.api.id,
        subscription: done.subscription ?? null,
      });
    },
  );

  router.delete(
    '/entities/:kind/:namespace/:name/subscriptions/:environment/:apiRef',
    async (req, res) => {
      const { params, credentials, subject, apiEntity, about } =
        await changeRequest(req);
      // An unknown environment is a 404 before any row, as for PUT (change() reads it first).
      subscriptions.environment(params.environment);
      const done = await change(req, credentials, 'unsubscribe', about, () =>
        subscriptions.unsubscribeEntity(params.environment, subject, apiEntity),
      );
      res.json({ outcome: done.outcome, apiRef: about.apiRef });
    },
  );

  registerSyncRoute(router, { ...deps, change, apiLoader });
}
