/**
 * What the actions of the actions registry share (issue 14 item 3): their dependencies, who the
 * caller is, input validation with the REST API's own schemas, error hygiene, and the gate of a
 * cell action, which is the REST API's gate (`cellRequest` in router.ts) step by step.
 */
import { randomUUID } from 'node:crypto';
import {
  AuditorService,
  AuditorServiceEvent,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  apimCredentialsProvisionPermission,
  consumerKeySchema,
  describeZodError,
  entityRefSchema,
  environmentIdSchema,
  keyManagerNameSchema,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { z } from 'zod/v4';
import { Access } from '../access';
import {
  ApimCredentialsStore,
  AuditStart,
} from '../database/ApimCredentialsStore';
import { toPublicError } from '../errorResponse';
import { EnvironmentConfig } from '../config';
import { ApplicationBindings } from '../service/ApplicationBindings';
import { isBindingDenial } from '../service/bindingErrors';
import { CredentialsReader } from '../service/CredentialsReader';
import { Caller, ProvisioningService } from '../service/ProvisioningService';

/** Everything the actions use; the same instances the REST router uses. */
export interface ActionDeps {
  access: Access;
  service: ProvisioningService;
  reader: CredentialsReader;
  store: ApimCredentialsStore;
  bindings: ApplicationBindings;
  auditor: AuditorService;
  logger: LoggerService;
  /** `app.baseUrl`, for links to the entity tab; relative links without it. */
  appBaseUrl?: string;
}

/**
 * The caller as recorded on audit rows: source `action`, and the plugin the request came
 * through (`plugin:mcp-actions` for an agent over MCP) as `via`.
 */
export function actionCaller(credentials: BackstageCredentials): Caller {
  const principal = credentials.principal as
    | { type: 'user'; userEntityRef: string; actor?: { subject: string } }
    | { type: 'service'; subject: string };
  if (principal.type === 'service') {
    return {
      userEntityRef: principal.subject,
      source: 'action',
      requestId: randomUUID(),
    };
  }
  return {
    userEntityRef: principal.userEntityRef,
    source: 'action',
    via: principal.actor?.subject,
    requestId: randomUUID(),
  };
}

/*
 * Every action's registry input schema is a strict object: an unknown field (a secret an agent
 * tries to pass along, say) is a 400 from the registry, not silently dropped.
 */

/**
 * Validates with the REST API's zod schemas (the registry's own schemas only describe the
 * input to agents): 400 `INVALID_INPUT` naming each bad field.
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  value: unknown,
): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InputError(`Invalid input: ${describeZodError(result.error)}`);
  }
  return result.data;
}

/**
 * Runs an action body; any error leaves as the REST API's public error (status, stable `code`,
 * no cause chain, 5xx logged under a log id), because the registry's router answers errors with
 * Backstage's default handler, which would serialise every field and cause.
 */
export async function guarded<T>(
  logger: LoggerService,
  body: () => Promise<T>,
): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toPublicError(error, logger);
  }
}

/** Input of the cell actions (`unprovision`, `plan-provision`), as the REST API checks it. */
export const cellInputSchema = z.strictObject({
  entityRef: entityRefSchema,
  environment: environmentIdSchema,
  keyManager: keyManagerNameSchema,
  consumerKey: consumerKeySchema,
});

/** A cell action that passed the gate. */
export interface GatedCell {
  env: EnvironmentConfig;
  entityRef: string;
  applicationName: string;
  caller: Caller;
  event: AuditorServiceEvent;
}

/**
 * The REST API's gate of PUT/DELETE on a cell, in its order: environment (404), entity (404/400),
 * key manager name (400, before any row), auditor event, `apim.credentials.provision` on the
 * entity (403, a `denied` audit row), the application binding (403, audited). `dryRun` marks
 * the denied row of `plan-provision` as the REST API marks a denied dry run.
 */
export async function gateCell(
  deps: ActionDeps,
  credentials: BackstageCredentials,
  input: z.output<typeof cellInputSchema>,
  action: 'provision' | 'unprovision',
  dryRun: boolean,
): Promise<GatedCell> {
  const { access, service, store, bindings, auditor } = deps;
  const env = service.environment(input.environment);
  const { entityRef, applicationName } = await access.entityOf(
    parseEntityRef(input.entityRef),
    credentials,
  );
  await service.assertKeyManagerName(env, input.keyManager, {
    forRemoval: action === 'unprovision',
    entityRef,
  });
  const caller = actionCaller(credentials);
  const event = await auditor.createEvent({
    eventId: action,
    severityLevel: 'medium',
    meta: {
      entityRef,
      environment: env.id,
      keyManager: input.keyManager,
      consumerKey: input.consumerKey,
      dryRun,
      source: 'action',
      actor: caller.userEntityRef,
      via: caller.via,
    },
  });
  const start: AuditStart = {
    action,
    actor: caller.userEntityRef,
    source: caller.source,
    via: caller.via,
    requestId: caller.requestId,
    entityRef,
    environment: env.id,
    instance: env.instance,
    keyType: env.keyType,
    keyManager: input.keyManager,
    applicationName,
    consumerKey: input.consumerKey,
    dryRun,
  };
  if (
    !(await access.isAllowed(
      credentials,
      apimCredentialsProvisionPermission,
      entityRef,
    ))
  ) {
    const error = new NotAllowedError(
      `You may not change the API-M credentials of ${entityRef}; ask its owners`,
    );
    await store.recordAudit(start, {
      outcome: 'denied',
      errorCode: 'PERMISSION_DENIED',
      errorMessage: error.message,
    });
    await event.fail({ error });
    throw error;
  }
  try {
    await bindings.check(env, entityRef, applicationName);
  } catch (error) {
    if (isBindingDenial(error)) {
      await bindings.auditDenial(start, error);
      await event.fail({ error });
    }
    throw error;
  }
  return { env, entityRef, applicationName, caller, event };
}
