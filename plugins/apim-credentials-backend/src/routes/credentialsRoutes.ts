/**
 * The routes of one entity's credentials (PRODUCT.md section 5): read, provision (PUT), remove
 * (DELETE) and verify. Each route parses its input, passes the cell gate (cellGate.ts: entity,
 * permission, binding, rate limits, denials audited) and makes one service call, whose outcome
 * completes the auditor event.
 */
import type { Request } from 'express';
import type Router from 'express-promise-router';
import type {
  AuthService,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import {
  apimCredentialsProvisionPermission,
  cellPathSchema,
  consumerKeySchema,
  entityPathSchema,
  entityRefSchema,
  provisionRequestSchema,
  verifyRequestSchema,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { z } from 'zod/v4';
import type { Access } from '../access';
import { CALLERS, callerOfRequest } from '../caller';
import type { CellGate } from '../cellGate';
import { readEntityCredentials } from '../entityCredentials';
import { parse } from '../parse';

import type { ApplicationBindings } from '../service/ApplicationBindings';
import type { CredentialsReader } from '../service/CredentialsReader';
import type { ProvisioningService } from '../service/ProvisioningService';
import type { ApprovalService } from '../service/approvals/ApprovalService';

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

const CELL_PATH =
  '/entities/:kind/:namespace/:name/credentials/:environment/:keyManager';

export interface CredentialsRoutesDeps {
  auth: AuthService;
  httpAuth: HttpAuthService;
  access: Access;
  gate: CellGate;
  service: ProvisioningService;
  /** Provisioning with approval where the environment requires it. */
  approvals: Pick<ApprovalService, 'provision'>;
  reader: CredentialsReader;
  bindings: ApplicationBindings;
}

export function registerCredentialsRoutes(
  router: ReturnType<typeof Router>,
  deps: CredentialsRoutesDeps,
) {
  const { auth, httpAuth, access, gate, service, reader, bindings } = deps;
  const { approvals } = deps;

  /** Completes the auditor event with the outcome of `call`, or fails it with its error. */
  async function settled<T extends { status: string }>(
    event: {
      success(o: { meta: object }): Promise<void>;
      fail(o: { error: Error }): Promise<void>;
    },
    call: () => Promise<T & { keyMappingId?: string; auditId?: string }>,
  ): Promise<T> {
    try {
      const result = await call();
      await event.success({
        meta: {
          status: result.status,
          keyMappingId: result.keyMappingId,
          auditId: result.auditId,
        },
      });
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  /** The cell of a PUT or DELETE, past the gate. */
  async function openCell(req: Request, action: 'provision' | 'unprovision') {
    const params = parse(cellPathSchema, req.params, 'path');
    const query: z.output<typeof cellQuerySchema> & { consumerKey?: string } =
      action === 'unprovision'
        ? parse(removeQuerySchema, req.query, 'query')
        : parse(cellQuerySchema, req.query, 'query');
    const body =
      action === 'provision'
        ? parse(provisionRequestSchema, req.body, 'body')
        : undefined;
    const credentials = await httpAuth.credentials(req, CALLERS);
    const dryRun = query.dryRun === 'true';
    const open = await gate({
      action,
      credentials,
      caller: callerOfRequest(auth, req, credentials),
      entity: params,
      environment: params.environment,
      keyManager: params.keyManager,
      consumerKey: body?.consumerKey ?? query.consumerKey,
      dryRun,
      carriesSecret: body !== undefined,
      request: req,
    });
    const cell = {
      entityRef: open.entityRef,
      applicationName: open.applicationName,
      environment: open.env.id,
      keyManager: params.keyManager,
      dryRun,
      createApplication:
        query.createApplication === 'false' ? false : undefined,
    };
    return { open, cell, body, consumerKey: query.consumerKey };
  }

  router.get(
    '/entities/:kind/:namespace/:name/credentials',
    async (req, res) => {
      const params = parse(entityPathSchema, req.params, 'entity');
      const credentials = await httpAuth.credentials(req, CALLERS);
      res.json(
        await readEntityCredentials(
          { access, reader, bindings, service },
          params,
          credentials,
        ),
      );
    },
  );

  router.put(CELL_PATH, async (req, res) => {
    const { open, cell, body } = await openCell(req, 'provision');
    // In an environment that requires approval, this files (or completes) a request (issue 14).
    const result = await settled(open.event, () =>
      approvals.provision(
        { ...cell, ...body!, boundApplicationId: open.boundApplicationId },
        open.caller,
      ),
    );
    let status = 200;
    if (result.status === 'approval-pending') status = 202;
    else if (result.status === 'created' && !cell.dryRun) status = 201;
    res.status(status).json(result);
  });

  router.delete(CELL_PATH, async (req, res) => {
    const { open, cell, consumerKey } = await openCell(req, 'unprovision');
    const result = await settled(open.event, () =>
      service.unprovision({ ...cell, consumerKey: consumerKey! }, open.caller),
    );
    res.status(200).json(result);
  });

  router.post('/verify', async (req, res) => {
    // Verifying is an oracle for guessing secrets: only for an entity the caller may provision,
    // whose application is bound to it, and never for a client of an entity they may not.
    const body = parse(
      verifyRequestSchema.extend({ entityRef: entityRefSchema }),
      req.body,
      'body',
    );
    const credentials = await httpAuth.credentials(req, CALLERS);
    const open = await gate({
      action: 'verify',
      credentials,
      caller: callerOfRequest(auth, req, credentials),
      entity: parseEntityRef(body.entityRef),
      environment: body.environment,
      keyManager: body.keyManager,
      consumerKey: body.consumerKey,
      carriesSecret: true,
      request: req,
    });
    const holders = await bindings.store.entitiesMappingConsumerKey(
      body.consumerKey,
    );
    for (const holder of holders.filter(h => h !== open.entityRef)) {
      if (
        !(await access.isAllowed(
          credentials,
          apimCredentialsProvisionPermission,
          holder,
        ))
      ) {
        throw await open.deny(
          new NotAllowedError(
            `You may not verify client "${body.consumerKey}": it is mapped for an entity whose credentials you may not change`,
          ),
        );
      }
    }
    try {
      const result = await service.verify(
        {
          ...body,
          entityRef: open.entityRef,
          applicationName: open.applicationName,
        },
        open.caller,
      );
      await open.event.success({ meta: { ok: result.ok } });
      res.json(result);
    } catch (error) {
      await open.event.fail({ error: error as Error });
      throw error;
    }
  });
}
