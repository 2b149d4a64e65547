/**
 * The REST API of PRODUCT.md section 5: body parsing and its limits, then the route modules
 * (routes/*, bindingRoutes.ts, subscriptions/subscriptionRoutes.ts), then the error handler that
 * turns every error into a public body with a stable `code` (errorResponse.ts). Identity comes
 * only from the request's Backstage token.
 */
import express from 'express';
import Router from 'express-promise-router';
import type {
  AuditorService,
  AuthService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { InputError } from '@backstage/errors';
import type { ApimCredentialsStores } from './database/stores';
import type { AuditTrail } from './service/AuditTrail';
import type { ApplicationBindings } from './service/ApplicationBindings';
import { registerBindingRoutes } from './bindingRoutes';
import { registerSubscriptionRoutes } from './subscriptions/subscriptionRoutes';
import type { SubscriptionsService } from './subscriptions/SubscriptionsService';
import type { ProvisioningService } from './service/ProvisioningService';
import type { CredentialsReader } from './service/CredentialsReader';
import { errorResponse } from './errorResponse';
import type { AttemptLimits } from './service/attemptLimits';
import { callerOfRequest } from './caller';
import { createCheckedAccess } from './services';
import { registerCredentialsRoutes } from './routes/credentialsRoutes';
import { registerAuditRoutes } from './routes/auditRoutes';
import { registerApprovalRoutes } from './routes/approvalRoutes';
import type { ApprovalService } from './service/approvals/ApprovalService';

export interface RouterOptions {
  logger: LoggerService;
  auth: AuthService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  catalog: CatalogService;
  service: ProvisioningService;
  reader: CredentialsReader;
  /** The one writer of audit rows. */
  trail: AuditTrail;
  /** The audit, mapping and approval-request stores the read routes query. */
  stores: Pick<ApimCredentialsStores, 'audit' | 'mappings' | 'approvals'>;
  /** Approval before provisioning where an environment requires it (issue 14). */
  approvals: ApprovalService;
  bindings: ApplicationBindings;
  /** Rate limits of verification and provisioning attempts (issue 10 item 3). */
  limits: AttemptLimits;
  /** Subscriptions of entities' applications (issue 16); routes absent without it. */
  subscriptions?: SubscriptionsService;
}

/** Refuses a PUT/POST body in another format: it would reach the schemas as `{}`. */
const jsonBodiesOnly: express.RequestHandler = (req, _res, next) => {
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
};

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { auth, httpAuth, auditor, catalog } = options;
  const { service, reader, trail, stores, bindings } = options;
  const { approvals } = options;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));
  router.use(jsonBodiesOnly);

  // Built as for the actions registry, so an agent is allowed exactly what the REST API allows.
  const { access, gate } = createCheckedAccess(options);
  const callerOf = callerOfRequest.bind(undefined, auth);

  router.get('/environments', async (req, res) => {
    await httpAuth.credentials(req);
    res.json(await reader.listEnvironments());
  });
  registerCredentialsRoutes(router, {
    auth,
    httpAuth,
    access,
    gate,
    service,
    approvals,
    reader,
    bindings,
  });
  registerApprovalRoutes(router, {
    auth,
    httpAuth,
    auditor,
    access,
    approvals,
    requests: stores.approvals,
  });
  registerAuditRoutes(router, {
    httpAuth,
    auditor,
    access,
    audit: stores.audit,
    mappings: stores.mappings,
  });
  if (options.subscriptions)
    registerSubscriptionRoutes(router, {
      httpAuth,
      auditor,
      catalog,
      trail,
      access,
      callerOf,
      subscriptions: options.subscriptions,
    });
  registerBindingRoutes(router, {
    httpAuth,
    auditor,
    catalog,
    bindings,
    trail,
    isAllowed: access.isAllowed,
    callerOf,
    entityOf: access.entityOf,
  });

  router.use(errorResponse(options.logger));
  return router;
}
