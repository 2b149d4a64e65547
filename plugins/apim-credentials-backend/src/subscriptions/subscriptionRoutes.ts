/**
 * REST routes of subscriptions (issue 16), beside the credentials routes:
 *
 * - `GET /entities/:kind/:namespace/:name/subscriptions[?environment=]`: per environment, the
 *   bound application's subscriptions joined with the entity's `consumesApis` (`apim.credentials.read`);
 * - `PUT .../subscriptions/:environment/:apiRef` `{ tier? }`: subscribe to one API entity's API
 *   (201 subscribed, 200 already subscribed);
 * - `DELETE .../subscriptions/:environment/:apiRef`: unsubscribe (200, `unchanged` when none);
 * - `POST .../subscriptions/:environment/sync[?dryRun=true]` `{ removeUndeclared? }`: the plan,
 *   or the plan applied with per-API results.
 *
 * Changing needs `apim.subscriptions.manage` on the entity. Every change, allowed or not, is an
 * audit row (`subscribe` / `unsubscribe`) and an auditor event.
 */
import express, { Request } from 'express';
import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  apimCredentialsReadPermission,
  apimSubscriptionsManagePermission,
  describeZodError,
  entityPathSchema,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { z } from 'zod/v4';
import {
  ApimCredentialsStore,
  AuditStart,
} from '../database/ApimCredentialsStore';
import { coded, errorCodeOf } from '../errors';
import type { Access } from '../access';
import type { Caller } from '../service/ProvisioningService';
import { describeApiEntity, resolveApi } from './apiResolver';
import { SubscriptionsService, SubscriberEntity } from './SubscriptionsService';

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const changePathSchema = entityPathSchema.extend({
  environment: z
    .string()
    .regex(ID, { error: 'environment must be an environment id' }),
  apiRef: z.string().min(1).max(255),
});
const syncPathSchema = entityPathSchema.extend({
  environment: z
    .string()
    .regex(ID, { error: 'environment must be an environment id' }),
});
const subscribeBodySchema = z.strictObject({
  tier: z.string().min(1).max(100).optional(),
});
const syncBodySchema = z.strictObject({
  removeUndeclared: z.boolean().optional(),
});
const viewQuerySchema = z.strictObject({
  environment: z
    .string()
    .regex(ID, { error: 'environment must be an environment id' })
    .optional(),
});
const dryRunSchema = z.enum(['true', 'false']).optional();

function parse<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what: string,
): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw coded(
      new InputError(`Invalid ${what}: ${describeZodError(result.error)}`),
      'INVALID_INPUT',
    );
  }
  return result.data;
}

/** Registers the subscription routes on the plugin's router (before its error handler). */
export function registerSubscriptionRoutes(
  router: express.Router,
  deps: {
    httpAuth: HttpAuthService;
    auditor: AuditorService;
    catalog: CatalogService;
    store: ApimCredentialsStore;
    access: Pick<Access, 'isAllowed' | 'entityOf'>;
    callerOf(req: Request, credentials: BackstageCredentials): Caller;
    subscriptions: SubscriptionsService;
  },
): void {
  const { httpAuth, auditor, catalog, store, access, subscriptions } = deps;

  const apiLoader = (credentials: BackstageCredentials) => (apiRef: string) =>
    catalog.getEntityByRef(apiRef, { credentials });

  /** `orders-api`, `api:orders-api` or `api:default/orders-api` -> the API entity. */
  async function apiEntityOf(
    raw: string,
    subject: SubscriberEntity,
    credentials: BackstageCredentials,
  ): Promise<Entity> {
    let ref;
    try {
      ref = parseEntityRef(raw, {
        defaultKind: 'API',
        defaultNamespace: subject.entity.metadata.namespace ?? 'default',
      });
    } catch {
      throw coded(
        new InputError(
          `Invalid apiRef: "${raw.slice(0, 100)}" is not an entity ref`,
        ),
        'INVALID_INPUT',
      );
    }
    if (ref.kind.toLocaleLowerCase('en-US') !== 'api') {
      throw coded(
        new InputError(
          `Invalid apiRef: ${stringifyEntityRef(ref)} is not an API entity`,
        ),
        'INVALID_INPUT',
      );
    }
    const entity = await catalog.getEntityByRef(ref, { credentials });
    if (!entity) {
      throw coded(
        new NotFoundError(
          `No API entity ${stringifyEntityRef(ref)} in the catalog`,
        ),
        'ENTITY_NOT_FOUND',
      );
    }
    return entity;
  }

  /** The audited change: denied without the permission, then failed or its outcome. */
  async function change<
    T extends {
      outcome: 'succeeded' | 'unchanged';
      app?: { applicationId: string; name: string };
    },
  >(
    req: Request,
    credentials: BackstageCredentials,
    action: 'subscribe' | 'unsubscribe',
    start: {
      entityRef: string;
      environment: string;
      applicationName: string;
      api: string;
      apiId?: string;
      dryRun?: boolean;
    },
    run: () => Promise<T>,
  ): Promise<T> {
    const caller = deps.callerOf(req, credentials);
    const env = subscriptions.environment(start.environment);
    const audit: AuditStart = {
      action,
      actor: caller.userEntityRef,
      source: caller.source,
      via: caller.via,
      taskId: caller.taskId,
      requestId: caller.requestId,
      entityRef: start.entityRef,
      environment: env.id,
      instance: env.instance,
      keyType: env.keyType,
      applicationName: start.applicationName,
    };
    const event = await auditor.createEvent({
      eventId: action,
      severityLevel: 'high',
      request: req,
      meta: { ...start },
    });
    if (
      !(await access.isAllowed(
        credentials,
        apimSubscriptionsManagePermission,
        start.entityRef,
      ))
    ) {
      const error = coded(
        new NotAllowedError(
          `You may not change the API subscriptions of ${start.entityRef}; ask its owners for apim.subscriptions.manage`,
        ),
        'PERMISSION_DENIED',
      );
      await store.recordAudit(audit, {
        outcome: 'denied',
        errorCode: 'PERMISSION_DENIED',
        errorMessage: error.message,
      });
      await event.fail({ error });
      throw error;
    }
    const auditId = await store.startAudit(audit);
    try {
      const done = await run();
      // The audit table has no API column yet: the auditor event's meta names the API.
      await store.completeAudit(auditId, {
        outcome: done.outcome,
        applicationId: done.app?.applicationId,
        applicationName: done.app?.name,
      });
      await event.success({ meta: { outcome: done.outcome } });
      return done;
    } catch (error) {
      await store.completeAudit(auditId, {
        outcome: 'failed',
        errorCode: errorCodeOf(error),
        errorMessage: (error as Error).message,
      });
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  async function subjectOf(
    params: { kind: string; namespace: string; name: string },
    credentials: BackstageCredentials,
  ) {
    return access.entityOf(params, credentials);
  }

  router.get(
    '/entities/:kind/:namespace/:name/subscriptions',
    async (req, res) => {
      const params = parse(entityPathSchema, req.params, 'entity');
      const query = parse(viewQuerySchema, req.query, 'query');
      const credentials = await httpAuth.credentials(req);
      const subject = await subjectOf(params, credentials);
      if (
        !(await access.isAllowed(
          credentials,
          apimCredentialsReadPermission,
          subject.entityRef,
        ))
      ) {
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
      const params = parse(changePathSchema, req.params, 'path');
      const body = parse(subscribeBodySchema, req.body ?? {}, 'body');
      const credentials = await httpAuth.credentials(req);
      const subject = await subjectOf(params, credentials);
      const apiEntity = await apiEntityOf(params.apiRef, subject, credentials);
      const apiRef = stringifyEntityRef(apiEntity).toLocaleLowerCase('en-US');
      const done = await change(
        req,
        credentials,
        'subscribe',
        {
          entityRef: subject.entityRef,
          environment: params.environment,
          applicationName: subject.applicationName,
          api: describeApiEntity(apiEntity),
        },
        () =>
          subscriptions.subscribe(
            params.environment,
            subject,
            apiEntity,
            body.tier,
          ),
      );
      res.status(done.outcome === 'succeeded' ? 201 : 200).json({
        outcome: done.outcome,
        apiRef,
        apiId: done.api.id,
        subscription: done.subscription ?? null,
      });
    },
  );

  router.delete(
    '/entities/:kind/:namespace/:name/subscriptions/:environment/:apiRef',
    async (req, res) => {
      const params = parse(changePathSchema, req.params, 'path');
      const credentials = await httpAuth.credentials(req);
      const subject = await subjectOf(params, credentials);
      const env = subscriptions.environment(params.environment);
      const apiEntity = await apiEntityOf(params.apiRef, subject, credentials);
      const label = describeApiEntity(apiEntity);
      const done = await change(
        req,
        credentials,
        'unsubscribe',
        {
          entityRef: subject.entityRef,
          environment: env.id,
          applicationName: subject.applicationName,
          api: label,
        },
        async () => {
          const api = await resolveApi(
            env.client,
            apiEntity,
            subject.applicationName,
          );
          return subscriptions.unsubscribe(env.id, subject, api.id, label);
        },
      );
      res.json({
        outcome: done.outcome,
        apiRef: stringifyEntityRef(apiEntity).toLocaleLowerCase('en-US'),
      });
    },
  );

  router.post(
    '/entities/:kind/:namespace/:name/subscriptions/:environment/sync',
    async (req, res) => {
      const params = parse(syncPathSchema, req.params, 'path');
      const dryRun =
        parse(dryRunSchema, req.query.dryRun, 'query dryRun') === 'true';
      const body = parse(syncBodySchema, req.body ?? {}, 'body');
      const credentials = await httpAuth.credentials(req);
      const subject = await subjectOf(params, credentials);
      if (
        !(await access.isAllowed(
          credentials,
          apimSubscriptionsManagePermission,
          subject.entityRef,
        ))
      ) {
        // Denied before any API-M call; a real run leaves its denied row through change().
        const denied = {
          entityRef: subject.entityRef,
          environment: params.environment,
          applicationName: subject.applicationName,
          api: 'APIs of consumesApis (sync)',
          dryRun,
        };
        await change(req, credentials, 'subscribe', denied, async () => ({
          outcome: 'unchanged' as const,
        }));
      }
      const loader = apiLoader(credentials);
      const { view, items } = await subscriptions.plan(
        params.environment,
        subject,
        loader,
        {
          removeUndeclared: body.removeUndeclared ?? false,
        },
      );
      if (dryRun) {
        res.json({
          dryRun: true,
          environment: view.environment,
          application: view.application,
          items,
          unresolved: view.unresolved,
        });
        return;
      }
      // One API's failure does not stop the others: each has its own result and audit row.
      const results = [];
      for (const item of items) {
        const label = `${item.name ?? item.apiId}${
          item.apiRef ? ` (${item.apiRef})` : ''
        }`;
        try {
          const done =
            item.action === 'subscribe'
              ? await change(
                  req,
                  credentials,
                  'subscribe',
                  {
                    entityRef: subject.entityRef,
                    environment: view.environment,
                    applicationName: subject.applicationName,
                    api: label,
                  },
                  async () => {
                    const entity = (await loader(item.apiRef!))!;
                    return subscriptions.subscribe(
                      view.environment,
                      subject,
                      entity,
                    );
                  },
                )
              : await change(
                  req,
                  credentials,
                  'unsubscribe',
                  {
                    entityRef: subject.entityRef,
                    environment: view.environment,
                    applicationName: subject.applicationName,
                    api: label,
                  },
                  () =>
                    subscriptions.unsubscribe(
                      view.environment,
                      subject,
                      item.apiId,
                      label,
                    ),
                );
          results.push({ ...item, outcome: done.outcome });
        } catch (error) {
          if (errorCodeOf(error) === 'PERMISSION_DENIED') throw error;
          results.push({
            ...item,
            outcome: 'failed',
            error: {
              code: errorCodeOf(error),
              message: (error as Error).message,
            },
          });
        }
      }
      res.json({
        dryRun: false,
        environment: view.environment,
        application: view.application,
        results,
        unresolved: view.unresolved,
      });
    },
  );
}
