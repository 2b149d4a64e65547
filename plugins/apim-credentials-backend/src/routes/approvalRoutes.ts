/**
 * The approval routes (issue 14 item 1):
 *
 * - `GET /approvals?state=&entityRef=`: approvers (`apim.credentials.approve`) and platform
 *   readers (`apim.audit.read`) see every request; everyone else only an entity's, with
 *   `apim.credentials.read` on it;
 * - `POST /approvals/:id/approve` and `/reject` `{ comment? }`: approvers only, never the
 *   requester (403 `SELF_APPROVAL`); a caller without the permission is a `denied` row
 *   (both decided and audited by ApprovalService.decide).
 */
import type { Request } from 'express';
import type Router from 'express-promise-router';
import type {
  AuditorService,
  AuthService,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  apimAuditReadPermission,
  apimCredentialsApprovePermission,
  apimCredentialsReadPermission,
  approvalDecisionSchema,
  approvalsQuerySchema,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { parseEntityRef } from '@backstage/catalog-model';
import { z } from 'zod/v4';
import type { Access } from '../access';
import { CALLERS, callerOfRequest } from '../caller';
import type { ApprovalStore } from '../database/ApprovalStore';
import { parse } from '../parse';
import type { ApprovalService } from '../service/approvals/ApprovalService';

const idPathSchema = z.object({
  id: z.uuid({ error: 'id must be an approval request id' }),
  decision: z.enum(['approve', 'reject'], {
    error: 'the decision must be approve or reject',
  }),
});

export interface ApprovalRoutesDeps {
  auth: AuthService;
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  access: Access;
  approvals: ApprovalService;
  requests: Pick<ApprovalStore, 'list'>;
}

export function registerApprovalRoutes(
  router: ReturnType<typeof Router>,
  deps: ApprovalRoutesDeps,
) {
  const { auth, httpAuth, auditor, access, approvals, requests } = deps;

  async function mayReadAll(credentials: BackstageCredentials) {
    const [approve, audit] = await Promise.all([
      access.isAllowed(credentials, apimCredentialsApprovePermission),
      access.isAllowed(credentials, apimAuditReadPermission),
    ]);
    return approve || audit;
  }

  router.get('/approvals', async (req, res) => {
    const query = parse(approvalsQuerySchema, req.query, 'query');
    const credentials = await httpAuth.credentials(req, CALLERS);
    let entityRef: string | undefined;
    if (query.entityRef) {
      // The catalog's spelling, and a 404 for an entity the caller cannot see.
      ({ entityRef } = await access.entityOf(
        parseEntityRef(query.entityRef),
        credentials,
      ));
    }
    if (!(await mayReadAll(credentials))) {
      if (
        !entityRef ||
        !(await access.isAllowed(
          credentials,
          apimCredentialsReadPermission,
          entityRef,
        ))
      ) {
        throw new NotAllowedError(
          entityRef
            ? `You may not read the approval requests of ${entityRef}`
            : 'You may not list all approval requests; filter by an entity you may read, or ask for apim.credentials.approve',
        );
      }
    }
    res.json({ items: await requests.list({ state: query.state, entityRef }) });
  });

  router.post('/approvals/:id/:decision', async (req: Request, res) => {
    const { id, decision } = parse(idPathSchema, req.params, 'path');
    const body = parse(approvalDecisionSchema, req.body ?? {}, 'body');
    const credentials = await httpAuth.credentials(req, CALLERS);
    const caller = callerOfRequest(auth, req, credentials);
    const event = await auditor.createEvent({
      eventId: decision,
      severityLevel: 'high',
      request: req,
      meta: { approvalRequest: id },
    });
    try {
      // The service refuses (and audits) a caller without the permission.
      const decided = await approvals.decide(
        id,
        decision,
        body.comment,
        caller,
        await access.isAllowed(credentials, apimCredentialsApprovePermission),
      );
      await event.success({ meta: { state: decided.state } });
      res.json(decided);
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });
}
