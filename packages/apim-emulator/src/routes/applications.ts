/** Devportal v3 applications (contract section 4). */
import { Router } from 'express';
import { principalOf, requireScopes } from '../auth';
import { jsonBody, type EmulatorContext } from '../context';
import { applicationDto, applicationInfoDto, pagination } from '../dto';
import { errors } from '../errors';
import type { StateApplication } from '../types';
import { handle, intParam } from './handler';

export const APPLICATION_PROPERTIES = [
  'applicationId',
  'name',
  'throttlingPolicy',
  'description',
  'tokenType',
  'status',
  'groups',
  'subscriptionCount',
  'keys',
  'attributes',
  'subscriptionScopes',
  'owner',
  'hashEnabled',
  'createdTime',
  'updatedTime',
  'visibility',
] as const;

/** 404 when unknown, 403 when owned by someone else (contract 3.1). */
export function ownedApplication(
  ctx: EmulatorContext,
  applicationId: string,
  username: string,
): StateApplication {
  const app = ctx.store.applications.find(
    a => a.applicationId === applicationId,
  );
  if (!app) throw errors.appNotFound(applicationId);
  if (app.owner !== username) throw errors.appForbidden(applicationId);
  return app;
}

/**
 * `NAME LIKE '%<query>%'` as a RegExp: `%` and `_` are wildcards (CONTRACT 4.2). Case-insensitive
 * (`LOWER(NAME) LIKE LOWER(?)`) from 4.4; before, as the database collation says (CONTRACT 14.1).
 */
export function likePattern(query: string, caseInsensitive = true): RegExp {
  const wildcard: Record<string, string> = { '%': '.*', _: '.' };
  const source = query
    .split('')
    .map(c => wildcard[c] ?? c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('');
  return new RegExp(source, caseInsensitive ? 'i' : '');
}

const APP_SCOPES = ['apim:subscribe', 'apim:app_manage'];
const APP_LIST_SCOPES = [
  'apim:subscribe',
  'apim:app_manage',
  'apim:app_import_export',
];

export function applicationsRouter(ctx: EmulatorContext): Router {
  const router = Router();
  const { store, users } = ctx;

  router.get(
    '/applications',
    requireScopes(store, users, APP_LIST_SCOPES),
    handle(ctx, (req, res) => {
      const { username } = principalOf(res);
      const query = typeof req.query.query === 'string' ? req.query.query : '';
      const limit = intParam(req.query.limit, 25);
      const offset = intParam(req.query.offset, 0);
      const sortBy = ['name', 'throttlingPolicy', 'status'].includes(
        String(req.query.sortBy),
      )
        ? (String(req.query.sortBy) as 'name' | 'throttlingPolicy' | 'status')
        : 'name';
      const desc = req.query.sortOrder === 'desc';
      const pattern = likePattern(
        query,
        store.profile().searchCaseInsensitive ||
          store.config.searchCollation === 'case-insensitive',
      );
      const matching = store.applications
        .filter(a => a.owner === username && pattern.test(a.name))
        .sort((a, b) => a[sortBy].localeCompare(b[sortBy]) * (desc ? -1 : 1));
      const page = matching.slice(offset, offset + limit);
      res.status(200).json({
        count: page.length,
        list: page.map(a => applicationInfoDto(store, a)),
        pagination: pagination(
          'applications',
          offset,
          limit,
          matching.length,
          `sortBy=${sortBy}&sortOrder=${desc ? 'desc' : 'asc'}&`,
          '&groupId=',
        ),
      });
    }),
  );

  router.post(
    '/applications',
    requireScopes(store, users, APP_SCOPES),
    handle(ctx, (req, res) => {
      const { username } = principalOf(res);
      const body = jsonBody(req, APPLICATION_PROPERTIES)!;
      const missing = ['name', 'throttlingPolicy'].filter(
        f => body[f] === undefined || body[f] === null,
      );
      if (missing.length) throw errors.validation(missing);
      const name = String(body.name);
      if (name.length < 1 || name.length > 100) {
        throw errors.badRequest(
          'Application name must be between 1 and 100 characters',
        );
      }
      if (name !== name.trim()) {
        throw errors.badRequest(
          'Application name cannot contain leading or trailing white spaces',
        );
      }
      // Unknown application tier (CONTRACT 14.2.5, ExceptionCodes TIER_NAME_INVALID).
      if (
        !store.config.applicationThrottlingPolicies.includes(
          String(body.throttlingPolicy),
        )
      ) {
        throw errors.badRequest(
          'The tier name is invalid',
          900305,
          'The tier name is invalid.',
        );
      }
      // The duplicate check is case-insensitive in every release (CONTRACT 14.1).
      if (
        store.applications.some(
          a =>
            a.owner === username && a.name.toLowerCase() === name.toLowerCase(),
        )
      ) {
        throw errors.conflict(
          'Resource Already Exists',
          `An application already exists with name ${name}`,
        );
      }
      const now = String(Date.now());
      const app: StateApplication = {
        applicationId: store.newId(),
        name,
        owner: username,
        throttlingPolicy: String(body.throttlingPolicy),
        description:
          typeof body.description === 'string' ? body.description : null,
        // Always 201; pending approval shows as CREATED (CONTRACT 14.1).
        status: store.config.applicationApprovalWorkflow
          ? 'CREATED'
          : 'APPROVED',
        groups: Array.isArray(body.groups) ? body.groups.map(String) : [],
        attributes:
          body.attributes && typeof body.attributes === 'object'
            ? (body.attributes as Record<string, string>)
            : {},
        tokenType: 'JWT', // always forced on create (contract 4.1)
        createdTime: now,
        updatedTime: now,
      };
      store.applications.push(app);
      ctx.changed();
      res
        .status(201)
        .location(`/applications/${app.applicationId}`)
        .json(applicationDto(store, app));
    }),
  );

  router.get(
    '/applications/:applicationId',
    requireScopes(store, users, APP_SCOPES),
    handle(ctx, (req, res) => {
      const app = ownedApplication(
        ctx,
        req.params.applicationId,
        principalOf(res).username,
      );
      res.status(200).json(applicationDto(store, app));
    }),
  );

  router.delete(
    '/applications/:applicationId',
    requireScopes(store, users, APP_LIST_SCOPES),
    handle(ctx, (req, res) => {
      const app = ownedApplication(
        ctx,
        req.params.applicationId,
        principalOf(res).username,
      );
      const id = app.applicationId;
      store.applications = store.applications.filter(a => a !== app);
      // Mapped (out-of-band) clients are left untouched in the IdP.
      store.keyMappings = store.keyMappings.filter(m => m.applicationId !== id);
      store.subscriptions = store.subscriptions.filter(
        s => s.applicationId !== id,
      );
      ctx.gatewayCache.applicationRemoved(id);
      ctx.changed();
      res.status(200).end();
    }),
  );

  return router;
}
