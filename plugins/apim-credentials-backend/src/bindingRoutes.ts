/**
 * REST routes of application bindings (issue 10, item 1):
 *
 * - `GET /bindings?entityRef=&instance=`: the recorded bindings;
 * - `GET /bindings/candidates?limit=`: applications that exist in API-M, are named by an
 *   entity's `wso2.com/apim-application` annotation and are bound to no entity, with the
 *   entities naming them (what the platform page offers to bind); at most `limit` (default 100,
 *   max 500), header `apim-candidates-truncated: true` when more may exist;
 * - `POST /bindings` `{ instance, applicationName, entityRef }`: bind an existing application;
 * - `DELETE /bindings/:instance/:applicationId`: unbind it.
 *
 * Reading needs `apim.audit.read` (as the platform page does); changing needs
 * `apim.applications.bind`. Every change, allowed or not, is an audit row (`bind` / `unbind`) on
 * the entity's history and an auditor event.
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
import { BasicPermission } from '@backstage/plugin-permission-common';
import {
  APIM_APPLICATION_ANNOTATION,
  apimApplicationsBindPermission,
  apimAuditReadPermission,
  bindRequestSchema,
  entityRefSchema,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { z } from 'zod/v4';
import { runAuditedChange } from './auditedChange';
import { parse } from './parse';
import { auditStart, type AuditTrail } from './service/AuditTrail';
import { applicationNameKey } from './database/ApplicationBindingStore';
import { ApplicationBindings } from './service/ApplicationBindings';
import { CANDIDATE_PAGE_SIZE } from './service/bindingCandidates';
import type { Caller } from './service/ProvisioningService';

const listQuerySchema = z.strictObject({
  entityRef: entityRefSchema.optional(),
  instance: z.string().max(64).optional(),
});

/** `?limit=`: candidates per answer (each costs an API-M lookup); default 100. */
const candidatesQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const CANDIDATE_FIELDS = [
  'kind',
  'metadata.namespace',
  'metadata.name',
  // The annotation's key has a dot, which a field path cannot express.
  'metadata.annotations',
];

/** Set (`true`) when `GET /bindings/candidates` stopped at its limit; more may exist. */
export const CANDIDATES_TRUNCATED_HEADER = 'apim-candidates-truncated';

const unbindPathSchema = z.object({
  instance: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, {
    error: 'instance must be an instance id',
  }),
  applicationId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, {
    error: 'applicationId must be an API-M application id',
  }),
});

/** Registers the binding routes on the plugin's router (before its error handler). */
export function registerBindingRoutes(
  router: express.Router,
  deps: {
    httpAuth: HttpAuthService;
    auditor: AuditorService;
    catalog: CatalogService;
    bindings: ApplicationBindings;
    trail: AuditTrail;
    isAllowed(
      credentials: BackstageCredentials,
      permission: BasicPermission,
    ): Promise<boolean>;
    callerOf(req: Request, credentials: BackstageCredentials): Caller;
    entityOf(
      params: { kind: string; namespace: string; name: string },
      credentials: BackstageCredentials,
    ): Promise<{ entityRef: string; applicationName: string; entity: Entity }>;
  },
): void {
  const { httpAuth, catalog, bindings, isAllowed } = deps;

  /**
   * Reading is the platform page's Bindings tab, which the frontend shows to holders of
   * `apim.audit.read` (the page's permission): the backend asks the same, so the tab and the
   * API never disagree. `apim.applications.bind` alone changes bindings, it does not list them.
   */
  async function mayRead(req: Request) {
    const credentials = await httpAuth.credentials(req);
    if (await isAllowed(credentials, apimAuditReadPermission)) {
      return credentials;
    }
    throw new NotAllowedError(
      'You may not list API-M application bindings; ask for apim.audit.read',
    );
  }

  router.get('/bindings', async (req, res) => {
    const query = parse(listQuerySchema, req.query, 'query');
    await mayRead(req);
    res.json(await bindings.store.list(query));
  });

  router.get('/bindings/candidates', async (req, res) => {
    const { limit } = parse(candidatesQuerySchema, req.query, 'query');
    const credentials = await mayRead(req);
    // Only entities that carry the annotation, only the fields that name them, a page at a
    // time; the scan stops at `limit` candidates (service/bindingCandidates.ts).
    async function* pages() {
      let cursor: string | undefined;
      do {
        const page = await catalog.queryEntities(
          cursor
            ? { cursor, limit: CANDIDATE_PAGE_SIZE, fields: CANDIDATE_FIELDS }
            : {
                query: {
                  [`metadata.annotations.${APIM_APPLICATION_ANNOTATION}`]: {
                    $exists: true,
                  },
                },
                limit: CANDIDATE_PAGE_SIZE,
                fields: CANDIDATE_FIELDS,
                totalItems: 'exclude',
              },
          { credentials },
        );
        yield page.items.flatMap(entity => {
          const name =
            entity.metadata.annotations?.[APIM_APPLICATION_ANNOTATION];
          return name
            ? [
                {
                  entityRef:
                    stringifyEntityRef(entity).toLocaleLowerCase('en-US'),
                  applicationName: name,
                },
              ]
            : [];
        });
        cursor = page.pageInfo.nextCursor;
      } while (cursor);
    }
    const scan = await bindings.candidates(pages(), limit);
    if (scan.truncated) res.setHeader(CANDIDATES_TRUNCATED_HEADER, 'true');
    res.json(scan.items);
  });

  /** The audited change: denied when the caller lacks the permission, failed or succeeded. */
  async function change(
    req: Request,
    action: 'bind' | 'unbind',
    start: Parameters<typeof auditStart>[2],
    credentials: BackstageCredentials,
    run: () => Promise<{ applicationId?: string; applicationName?: string }>,
  ) {
    const caller = deps.callerOf(req, credentials);
    const { auditId } = await runAuditedChange(deps, {
      req,
      start: auditStart(action, caller, start),
      eventMeta: { ...start },
      allowed: () => isAllowed(credentials, apimApplicationsBindPermission),
      denied: () =>
        new NotAllowedError(
          `You may not ${action} API-M applications; ask for apim.applications.bind`,
        ),
      run,
      completion: done => ({ outcome: 'succeeded', ...done }),
      successMeta: done => ({ ...done }),
    });
    return auditId;
  }

  router.post('/bindings', async (req, res) => {
    const body = parse(bindRequestSchema, req.body, 'body');
    const credentials = await httpAuth.credentials(req);
    const instance = bindings.instance(body.instance);
    const { entityRef, applicationName } = await deps.entityOf(
      parseEntityRef(body.entityRef),
      credentials,
    );
    // A binding the annotation does not ask for would give the entity nothing it can use.
    if (
      applicationNameKey(applicationName) !==
      applicationNameKey(body.applicationName)
    ) {
      throw new InputError(
        `Entity ${entityRef} names application "${applicationName}" in its ${APIM_APPLICATION_ANNOTATION} annotation, not "${body.applicationName}"`,
      );
    }
    let binding;
    const auditId = await change(
      req,
      'bind',
      { entityRef, instance, applicationName: body.applicationName },
      credentials,
      async () => {
        binding = await bindings.bindExisting(
          instance,
          body.applicationName,
          entityRef,
          deps.callerOf(req, credentials).userEntityRef,
        );
        return {
          applicationId: binding.applicationId,
          applicationName: binding.applicationName,
        };
      },
    );
    res.status(201).json({ ...binding!, auditId });
  });

  router.delete('/bindings/:instance/:applicationId', async (req, res) => {
    const params = parse(unbindPathSchema, req.params, 'path');
    const credentials = await httpAuth.credentials(req);
    const instance = bindings.instance(params.instance);
    const existing = await bindings.store.getById(
      instance,
      params.applicationId,
    );
    if (!existing) {
      throw new NotFoundError(
        `Application ${params.applicationId} is not bound in instance "${instance}"`,
      );
    }
    const auditId = await change(
      req,
      'unbind',
      {
        entityRef: existing.entityRef,
        instance,
        applicationId: existing.applicationId,
        applicationName: existing.applicationName,
      },
      credentials,
      async () => {
        await bindings.store.unbind(instance, existing.applicationId);
        return {
          applicationId: existing.applicationId,
          applicationName: existing.applicationName,
        };
      },
    );
    res.json({ ...existing, auditId });
  });
}
