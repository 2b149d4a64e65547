/**
 * The REST API of PRODUCT.md section 5. Each route: validate input (400 naming the field), find
 * the caller, check the Backstage permission (403, audited for mutations), then hand over to the
 * ProvisioningService. Identity comes only from the request's Backstage token.
 */
import { randomUUID } from 'node:crypto';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { parseEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  APIM_CREDENTIALS_SOURCE_HEADER,
  APIM_CREDENTIALS_TASK_ID_HEADER,
  apimAuditReadPermission,
  apimCredentialsProvisionPermission,
  auditQuerySchema,
  cellPathSchema,
  consumerKeySchema,
  describeZodError,
  entityPathSchema,
  entityRefSchema,
  mappingsQuerySchema,
  provisionRequestSchema,
  verifyRequestSchema,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { z } from 'zod/v4';
import {
  ApimCredentialsStore,
  AuditStart,
} from './database/ApimCredentialsStore';
import { ApplicationBindings } from './service/ApplicationBindings';
import { isBindingDenial } from './service/bindingErrors';
import { failBeforeAttempt, isPreflightFault } from './service/preflightFault';
import { registerBindingRoutes } from './bindingRoutes';
import { registerSubscriptionRoutes } from './subscriptions/subscriptionRoutes';
import type { SubscriptionsService } from './subscriptions/SubscriptionsService';
import { Caller, ProvisioningService } from './service/ProvisioningService';
import { CredentialsReader } from './service/CredentialsReader';
import { writeAuditCsv } from './service/auditCsv';
import { errorResponse } from './errorResponse';
import { RateLimitedError } from './errors';
import { createAccess } from './access';
import { readEntityCredentials } from './entityCredentials';
import { AttemptLimits } from './service/attemptLimits';

export interface RouterOptions {
  logger: LoggerService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  catalog: CatalogService;
  service: ProvisioningService;
  reader: CredentialsReader;
  store: ApimCredentialsStore;
  bindings: ApplicationBindings;
  /** Rate limits of verification and provisioning attempts (issue 10 item 3). */
  limits: AttemptLimits;
  /** Subscriptions of entities' applications (issue 16); routes absent without it. */
  subscriptions?: SubscriptionsService;
}

function parse<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what: string,
): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InputError(`Invalid ${what}: ${describeZodError(result.error)}`);
  }
  return result.data;
}

const cellQuerySchema = z.strictObject({
  dryRun: z
    .enum(['true', 'false'], { error: 'dryRun must be true or false' })
    .optional(),
  createApplication: z
    .enum(['true', 'false'], {
      error: 'createApplication must be true or false',
    })
    .optional(),
});

/** DELETE names the client it means to remove (issue 10 item 2). */
const removeQuerySchema = cellQuerySchema.extend({
  consumerKey: consumerKeySchema,
});

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const {
    httpAuth,
    permissions,
    auditor,
    catalog,
    service,
    reader,
    store,
    bindings,
    limits,
  } = options;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));
  // A body in another format would reach the schemas as `{}` and be misreported as missing fields.
  router.use((req, _res, next) => {
    const hasBody =
      Number(req.headers['content-length'] ?? 0) > 0 ||
      req.headers['transfer-encoding'] !== undefined;
    if (
      (req.method === 'PUT' || req.method === 'POST') &&
      hasBody &&
      !req.is('application/json')
    ) {
      throw new InputError(
        `Invalid body: Content-Type must be application/json, not "${String(
          req.headers['content-type'] ?? 'none',
        ).slice(0, 100)}"`,
      );
    }
    next();
  });

  /** The caller as recorded on audit rows. */
  function callerOf(req: Request, credentials: BackstageCredentials): Caller {
    const requestId = randomUUID();
    const principal = credentials.principal as
      | { type: 'user'; userEntityRef: string; actor?: { subject: string } }
      | { type: 'service'; subject: string };
    if (principal.type === 'service') {
      return { userEntityRef: principal.subject, source: 'api', requestId };
    }
    const via = principal.actor?.subject;
    if (via === 'plugin:scaffolder') {
      // Only a token the scaffolder obtained on behalf of the user may name a task.
      const taskId = req.header(APIM_CREDENTIALS_TASK_ID_HEADER);
      return {
        userEntityRef: principal.userEntityRef,
        source: 'scaffolder',
        via,
        taskId:
          taskId && /^[A-Za-z0-9_-]{1,128}$/.test(taskId) ? taskId : undefined,
        requestId,
      };
    }
    // A user token without an acting plugin is the UI only when the frontend says so; the
    // header is informational (anyone may set it) and decides nothing but this column.
    const fromUi = !via && req.header(APIM_CREDENTIALS_SOURCE_HEADER) === 'ui';
    return {
      userEntityRef: principal.userEntityRef,
      source: fromUi ? 'ui' : 'api',
      via,
      requestId,
    };
  }

  // Shared with the actions registry, so an agent is allowed exactly what the REST API allows.
  const access = createAccess({ permissions, catalog });
  const { isAllowed, entityOf, assertAuditAccess } = access;

  router.get('/environments', async (req, res) => {
    await httpAuth.credentials(req);
    res.json(await reader.listEnvironments());
  });

  router.get(
    '/entities/:kind/:namespace/:name/credentials',
    async (req, res) => {
      const params = parse(entityPathSchema, req.params, 'entity');
      const credentials = await httpAuth.credentials(req);
      const result = await readEntityCredentials(
        { access, reader, bindings, service },
        params,
        credentials,
      );
      res.json(result);
    },
  );

  /**
   * Counts a verification or provisioning attempt (issue 10 item 3). Over the limit: a `denied`
   * row (subject to the store's denied-row gate), the auditor event failed, and a 429.
   */
  async function countAttempt(
    start: AuditStart & { consumerKey: string },
    event: { fail(options: { error: Error }): Promise<void> },
  ) {
    try {
      await limits.countAttempt(start);
    } catch (error) {
      if (error instanceof RateLimitedError) {
        await store.recordAudit(start, {
          outcome: 'denied',
          errorCode: error.code,
          errorMessage: error.message,
        });
        await event.fail({ error });
      }
      throw error;
    }
  }

  /** Shared by PUT and DELETE: input checks, caller, permission (denials audited), event. */
  async function cellRequest(
    req: Request,
    action: 'provision' | 'unprovision',
  ) {
    const params = parse(cellPathSchema, req.params, 'path');
    const query = parse(
      action === 'unprovision' ? removeQuerySchema : cellQuerySchema,
      req.query,
      'query',
    ) as z.output<typeof cellQuerySchema> & { consumerKey?: string };
    const body =
      action === 'provision'
        ? parse(provisionRequestSchema, req.body, 'body')
        : undefined;
    const credentials = await httpAuth.credentials(req);
    const env = service.environment(params.environment);
    const { entityRef, applicationName } = await entityOf(params, credentials);
    // A made-up key manager is a 400 before any row, also a denied one (issue 10 item 5).
    const listing = await service.assertKeyManagerName(env, params.keyManager, {
      forRemoval: action === 'unprovision',
      entityRef,
    });
    const caller = callerOf(req, credentials);
    const event = await auditor.createEvent({
      eventId: action,
      severityLevel: 'medium',
      request: req,
      meta: {
        entityRef,
        environment: env.id,
        keyManager: params.keyManager,
        consumerKey: body?.consumerKey,
        dryRun: query.dryRun === 'true',
        via: caller.via,
        taskId: caller.taskId,
      },
    });
    const denialStart: AuditStart = {
      action,
      actor: caller.userEntityRef,
      source: caller.source,
      via: caller.via,
      taskId: caller.taskId,
      requestId: caller.requestId,
      entityRef,
      environment: env.id,
      instance: env.instance,
      keyType: env.keyType,
      keyManager: params.keyManager,
      applicationName,
      consumerKey: body?.consumerKey ?? query.consumerKey,
      dryRun: query.dryRun === 'true',
    };
    if (body) {
      await countAttempt(
        { ...denialStart, consumerKey: body.consumerKey },
        event,
      );
    }
    if (
      !(await isAllowed(
        credentials,
        apimCredentialsProvisionPermission,
        entityRef,
      ))
    ) {
      const error = new NotAllowedError(
        `You may not change the API-M credentials of ${entityRef}; ask its owners`,
      );
      // A denied dry run is recorded too, flagged as one (issue 10 item 3).
      await store.recordAudit(denialStart, {
        outcome: 'denied',
        errorCode: 'PERMISSION_DENIED',
        errorMessage: error.message,
      });
      await event.fail({ error });
      throw error;
    }
    // After the permission check: a caller who may not act learns nothing about API-M's state.
    if (listing.error) {
      throw await failBeforeAttempt(
        { store, event },
        denialStart,
        listing.error,
      );
    }
    try {
      await bindings.check(env, entityRef, applicationName);
    } catch (error) {
      if (isBindingDenial(error)) {
        await bindings.auditDenial(denialStart, error);
        await event.fail({ error });
      } else if (isPreflightFault(error)) {
        throw await failBeforeAttempt({ store, event }, denialStart, error);
      }
      throw error;
    }
    return {
      event,
      caller,
      cell: {
        entityRef,
        applicationName,
        environment: env.id,
        keyManager: params.keyManager,
        dryRun: query.dryRun === 'true',
        createApplication:
          query.createApplication === 'false' ? false : undefined,
        consumerKey: query.consumerKey,
      },
      body,
    };
  }

  router.put(
    '/entities/:kind/:namespace/:name/credentials/:environment/:keyManager',
    async (req, res) => {
      const { event, caller, cell, body } = await cellRequest(req, 'provision');
      try {
        const result = await service.provision({ ...cell, ...body! }, caller);
        await event.success({
          meta: {
            status: result.status,
            keyMappingId: result.keyMappingId,
            auditId: result.auditId,
          },
        });
        res
          .status(result.status === 'created' && !cell.dryRun ? 201 : 200)
          .json(result);
      } catch (error) {
        await event.fail({ error: error as Error });
        throw error;
      }
    },
  );

  router.delete(
    '/entities/:kind/:namespace/:name/credentials/:environment/:keyManager',
    async (req, res) => {
      const { event, caller, cell } = await cellRequest(req, 'unprovision');
      try {
        const result = await service.unprovision(
          { ...cell, consumerKey: cell.consumerKey! },
          caller,
        );
        await event.success({
          meta: {
            status: result.status,
            keyMappingId: result.keyMappingId,
            auditId: result.auditId,
          },
        });
        res.status(200).json(result);
      } catch (error) {
        await event.fail({ error: error as Error });
        throw error;
      }
    },
  );

  router.post('/verify', async (req, res) => {
    // Verifying is an oracle for guessing secrets: only for an entity the caller may provision,
    // whose application is bound to it, and never for a client of an entity they may not.
    const body = parse(
      verifyRequestSchema.extend({ entityRef: entityRefSchema }),
      req.body,
      'body',
    );
    const credentials = await httpAuth.credentials(req);
    const env = service.environment(body.environment);
    const { entityRef, applicationName } = await entityOf(
      parseEntityRef(body.entityRef),
      credentials,
    );
    const listing = await service.assertKeyManagerName(env, body.keyManager);
    const caller = callerOf(req, credentials);
    const event = await auditor.createEvent({
      eventId: 'verify',
      severityLevel: 'low',
      request: req,
      meta: {
        entityRef,
        environment: env.id,
        keyManager: body.keyManager,
        consumerKey: body.consumerKey,
      },
    });
    const start: AuditStart = {
      action: 'verify',
      actor: caller.userEntityRef,
      source: caller.source,
      via: caller.via,
      taskId: caller.taskId,
      requestId: caller.requestId,
      entityRef,
      environment: env.id,
      instance: env.instance,
      keyType: env.keyType,
      keyManager: body.keyManager,
      applicationName,
      consumerKey: body.consumerKey,
    };
    const deny = async (error: Error) => {
      await store.recordAudit(start, {
        outcome: 'denied',
        errorCode: 'PERMISSION_DENIED',
        errorMessage: error.message,
      });
      await event.fail({ error });
      return error;
    };
    await countAttempt({ ...start, consumerKey: body.consumerKey }, event);
    if (
      !(await isAllowed(
        credentials,
        apimCredentialsProvisionPermission,
        entityRef,
      ))
    ) {
      throw await deny(
        new NotAllowedError(
          `You may not verify API-M credentials for ${entityRef}; ask its owners`,
        ),
      );
    }
    if (listing.error) {
      throw await failBeforeAttempt({ store, event }, start, listing.error);
    }
    try {
      await bindings.check(env, entityRef, applicationName);
    } catch (error) {
      if (isBindingDenial(error)) {
        await bindings.auditDenial(start, error);
        await event.fail({ error });
      } else if (isPreflightFault(error)) {
        throw await failBeforeAttempt({ store, event }, start, error);
      }
      throw error;
    }
    const holders = await bindings.store.entitiesMappingConsumerKey(
      body.consumerKey,
    );
    for (const holder of holders.filter(h => h !== entityRef)) {
      if (
        !(await isAllowed(
          credentials,
          apimCredentialsProvisionPermission,
          holder,
        ))
      ) {
        throw await deny(
          new NotAllowedError(
            `You may not verify client "${body.consumerKey}": it is mapped for an entity whose credentials you may not change`,
          ),
        );
      }
    }
    try {
      const result = await service.verify(
        { ...body, entityRef, applicationName },
        caller,
      );
      await event.success({ meta: { ok: result.ok } });
      res.json(result);
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  /** Platform readers see everything; an entity's readers see that entity's history. */
  async function auditAccess(req: Request, entityRef: string | undefined) {
    await assertAuditAccess(await httpAuth.credentials(req), entityRef);
  }

  router.get('/audit', async (req, res) => {
    const query = parse(auditQuerySchema, req.query, 'query');
    await auditAccess(req, query.entityRef);
    res.json(await store.queryAudit(query));
  });

  router.get('/audit/export', async (req, res) => {
    const query = parse(
      auditQuerySchema.omit({ limit: true, cursor: true }),
      req.query,
      'query',
    );
    await auditAccess(req, query.entityRef);
    const event = await auditor.createEvent({
      eventId: 'audit-export',
      severityLevel: 'medium',
      request: req,
      meta: { query },
    });
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader(
      'content-disposition',
      `attachment; filename="apim-credentials-audit.csv"`,
    );
    try {
      await writeAuditCsv(store.streamAudit(query), res);
      await event.success();
    } catch (error) {
      await event.fail({ error: error as Error });
      // Headers are gone; cut the stream so the client sees an incomplete download.
      res.destroy(error as Error);
    }
  });

  router.get('/mappings', async (req, res) => {
    const query = parse(mappingsQuerySchema, req.query, 'query');
    const credentials = await httpAuth.credentials(req);
    if (!(await isAllowed(credentials, apimAuditReadPermission))) {
      throw new NotAllowedError(
        'You may not list all API-M mappings; ask for apim.audit.read',
      );
    }
    res.json(await store.queryMappings(query));
  });

  if (options.subscriptions)
    registerSubscriptionRoutes(router, {
      httpAuth,
      auditor,
      catalog,
      store,
      access,
      callerOf,
      subscriptions: options.subscriptions,
    });

  registerBindingRoutes(router, {
    httpAuth,
    auditor,
    catalog,
    bindings,
    store,
    isAllowed,
    callerOf,
    entityOf,
  });

  router.use(errorResponse(options.logger));
  return router;
}
