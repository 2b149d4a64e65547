/**
 * The platform's read routes (PRODUCT.md section 5): the audit log, its CSV export and the list
 * of mappings. Platform readers (`apim.audit.read`) see everything; an entity's readers see that
 * entity's history (access.ts).
 */
import type Router from 'express-promise-router';
import type {
  AuditorService,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  apimAuditReadPermission,
  auditQuerySchema,
  mappingsQuerySchema,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { Access } from '../access';
import type { AuditStore } from '../database/AuditStore';
import type { MappingStore } from '../database/MappingStore';
import { CALLERS } from '../caller';
import { parse } from '../parse';

import { writeAuditCsv } from '../service/auditCsv';

export interface AuditRoutesDeps {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  access: Access;
  audit: Pick<AuditStore, 'queryAudit' | 'streamAudit'>;
  mappings: Pick<MappingStore, 'queryMappings'>;
}

export function registerAuditRoutes(
  router: ReturnType<typeof Router>,
  deps: AuditRoutesDeps,
) {
  const { httpAuth, auditor, access, audit, mappings } = deps;

  router.get('/audit', async (req, res) => {
    const query = parse(auditQuerySchema, req.query, 'query');
    await access.assertAuditAccess(
      await httpAuth.credentials(req, CALLERS),
      query.entityRef,
    );
    res.json(await audit.queryAudit(query));
  });

  router.get('/audit/export', async (req, res) => {
    const query = parse(
      auditQuerySchema.omit({ limit: true, cursor: true }),
      req.query,
      'query',
    );
    await access.assertAuditAccess(
      await httpAuth.credentials(req, CALLERS),
      query.entityRef,
    );
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
      await writeAuditCsv(audit.streamAudit(query), res);
      await event.success();
    } catch (error) {
      await event.fail({ error: error as Error });
      // Headers are gone; cut the stream so the client sees an incomplete download.
      res.destroy(error as Error);
    }
  });

  router.get('/mappings', async (req, res) => {
    const query = parse(mappingsQuerySchema, req.query, 'query');
    const credentials = await httpAuth.credentials(req, CALLERS);
    if (!(await access.isAllowed(credentials, apimAuditReadPermission))) {
      throw new NotAllowedError(
        'You may not list all API-M mappings; ask for apim.audit.read',
      );
    }
    res.json(await mappings.queryMappings(query));
  });
}
