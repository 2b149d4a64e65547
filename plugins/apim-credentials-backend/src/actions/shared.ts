/**
 * What the actions of the actions registry share (issue 14 item 3): their dependencies, input
 * validation with the REST API's own schemas, error hygiene, and the REST API's cell gate.
 */
import {
  AuditorService,
  AuthService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  consumerKeySchema,
  entityRefSchema,
  environmentIdSchema,
  keyManagerNameSchema,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { z } from 'zod/v4';
import { Access } from '../access';
import { callerOfAction } from '../caller';
import type { CellGate, OpenCell } from '../cellGate';
import type { ApimCredentialsStores } from '../database/stores';
import { toPublicError } from '../errorResponse';
import { parse } from '../parse';
import { ApplicationBindings } from '../service/ApplicationBindings';
import { CredentialsReader } from '../service/CredentialsReader';
import { ProvisioningService } from '../service/ProvisioningService';

/** Everything the actions use; the same instances the REST router uses. */
export interface ActionDeps {
  auth: AuthService;
  access: Access;
  /** The REST API's cell gate (cellGate.ts). */
  gate: CellGate;
  service: ProvisioningService;
  reader: CredentialsReader;
  /** `approvals`: the open approval request `plan-provision` names (issue 14 item 1). */
  stores: Pick<ApimCredentialsStores, 'audit' | 'mappings' | 'approvals'>;
  bindings: ApplicationBindings;
  auditor: AuditorService;
  logger: LoggerService;
  /** `app.baseUrl`, for links to the entity tab; relative links without it. */
  appBaseUrl?: string;
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
  return parse(schema, value, 'input');
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

/**
 * Opens a cell for an action through the REST API's own gate (cellGate.ts), in its order and with
 * its audit rows; `dryRun` marks a denied row of `plan-provision` as the REST API marks a denied
 * dry run. Actions never carry a secret, so they are not counted as attempts.
 */
export function gateCell(
  deps: ActionDeps,
  credentials: BackstageCredentials,
  input: z.output<typeof cellInputSchema>,
  action: 'provision' | 'unprovision',
  dryRun: boolean,
): Promise<OpenCell> {
  return deps.gate({
    action,
    credentials,
    caller: callerOfAction(deps.auth, credentials),
    entity: parseEntityRef(input.entityRef),
    environment: input.environment,
    keyManager: input.keyManager,
    consumerKey: input.consumerKey,
    dryRun,
    carriesSecret: false,
  });
}
