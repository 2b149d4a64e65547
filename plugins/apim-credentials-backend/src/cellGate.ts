/**
 * The gate every request about one cell (entity x environment x key manager) passes before the
 * service is called: PUT, DELETE and POST /verify of the REST API and the cell actions of the
 * actions registry (issue 14 item 3). One implementation, so that an agent's action is allowed,
 * audited and answered exactly as the same person's REST call would be.
 *
 * Order, and why:
 * 1. environment (404 `UNKNOWN_ENVIRONMENT`) and entity (404/400), read with the caller's
 *    credentials: nothing is written for a request about nothing;
 * 2. key manager name (400 before any row, issue 10 item 5); an API-M fault behind that check is
 *    held back until the caller is known to be allowed;
 * 3. the auditor event; then the attempt counter for requests that carry a secret (429, a
 *    `denied` row, issue 10 item 3);
 * 4. `apim.credentials.provision` on the entity (403, a `denied` row);
 * 5. API-M faults met so far: a `failed` row and the translated 502/503/504 (preflightFault.ts);
 * 6. the application binding (403, audited on both entities; issue 10 item 1).
 * Steps 3 (the counter), 4 and 6 run concurrently and are judged in this order (issue 9,
 * "Performance": nothing but the writes around the API-M call on a provisioning's critical path).
 */
import type {
  AuditorService,
  AuditorServiceEvent,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import type { Request } from 'express';
import { NotAllowedError } from '@backstage/errors';
import { apimCredentialsProvisionPermission } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { Access } from './access';
import type { EnvironmentConfig } from './config';
import type { AuditStart } from './database/AuditStore';
import { auditStart, type AuditTrail } from './service/AuditTrail';
import { RateLimitedError } from './errors';
import type { ApplicationBindings } from './service/ApplicationBindings';
import type { AttemptLimits } from './service/attemptLimits';
import { isBindingDenial } from './service/bindingErrors';
import { failBeforeAttempt, isPreflightFault } from './service/preflightFault';
import type { ProvisioningService } from './service/ProvisioningService';
import type { Caller } from './service/provisioningTypes';

/** What the gate needs; the same instances the router and the actions use. */
export interface CellGateDeps {
  access: Access;
  service: Pick<ProvisioningService, 'environment' | 'assertKeyManagerName'>;
  trail: Pick<AuditTrail, 'deny' | 'record'>;
  bindings: Pick<ApplicationBindings, 'check' | 'auditDenial' | 'readAhead'>;
  limits: Pick<AttemptLimits, 'countAttempt'>;
  auditor: AuditorService;
}

/** One request about a cell. */
export interface CellGateRequest {
  action: 'provision' | 'unprovision' | 'verify';
  credentials: BackstageCredentials;
  caller: Caller;
  entity: { kind: string; namespace: string; name: string };
  environment: string;
  keyManager: string;
  /** The client the request is about (the one to map, remove or verify). */
  consumerKey?: string;
  /** A denied or failed dry run is recorded flagged as one. */
  dryRun?: boolean;
  /** Whether the request carries a secret: such attempts are rate limited. */
  carriesSecret: boolean;
  /** The HTTP request, for the auditor event; absent for actions. */
  request?: Request;
  /** Extra auditor event fields (never a secret). */
  eventMeta?: Record<string, unknown>;
}

/** A request that passed the gate; the caller completes or fails `event`. */
export interface OpenCell {
  env: EnvironmentConfig;
  entityRef: string;
  applicationName: string;
  caller: Caller;
  event: AuditorServiceEvent;
  /** The audit fields of this request, for further denials (e.g. /verify's holder check). */
  start: AuditStart;
  /** Records `start` as denied with `error`, fails the event and returns `error`. */
  deny(error: Error & { code?: string }): Promise<Error>;
  /**
   * The id of the API-M application step 6 found bound to the entity; undefined when API-M has
   * none of that name yet (provisioning may create it).
   */
  boundApplicationId?: string;
}

export type CellGate = (request: CellGateRequest) => Promise<OpenCell>;

/**
 * Builds the gate.
 *
 * @throws from the returned function: the 400/403/404/429/502-504 errors of the steps above,
 *   each with a stable `code`; every error after step 3 has failed the auditor event and,
 *   except a 400/404 before the event, left an audit row.
 */
export function createCellGate(deps: CellGateDeps): CellGate {
  const { access, service, trail, bindings, limits, auditor } = deps;

  return async request => {
    const { action, credentials, caller } = request;
    const env = service.environment(request.environment);
    const { entityRef, applicationName } = await access.entityOf(
      request.entity,
      credentials,
    );
    const listing = await service.assertKeyManagerName(
      env,
      request.keyManager,
      keyManagerCheck(action, entityRef),
    );
    const event = await auditor.createEvent({
      eventId: action,
      severityLevel: action === 'verify' ? 'low' : 'medium',
      request: request.request,
      meta: {
        entityRef,
        environment: env.id,
        keyManager: request.keyManager,
        consumerKey: request.consumerKey,
        dryRun: request.dryRun,
        source: caller.source,
        actor: caller.userEntityRef,
        via: caller.via,
        taskId: caller.taskId,
        ...request.eventMeta,
      },
    });
    const start = auditStart(action, caller, {
      entityRef,
      environment: env.id,
      instance: env.instance,
      keyType: env.keyType,
      keyManager: request.keyManager,
      applicationName,
      consumerKey: request.consumerKey,
      dryRun: action === 'verify' ? undefined : request.dryRun === true,
    });
    const deny = async (error: Error & { code?: string }) => {
      // Errors of Backstage's own kinds carry no code: the trail records PERMISSION_DENIED.
      await trail.deny(start, error);
      await event.fail({ error });
      return error;
    };

    // Steps 3 and 4 count and ask independently of each other: they are asked together (one
    // wait, not two sequential round trips on every PUT) and their answers are taken in the
    // order above, so a request is refused, audited and answered as if they had run one after
    // the other. The binding check (step 6) may ask API-M for the application, so it starts
    // only for an allowed caller: a refused caller never makes the backend call API-M. Its
    // database read starts with steps 3 and 4 where the application's id is cached (readAhead
    // never calls API-M); a failed read ahead is ignored, the check reads again.
    const counted: Promise<Settled<void>> =
      request.carriesSecret && request.consumerKey
        ? settle(
            limits.countAttempt({ ...start, consumerKey: request.consumerKey }),
          )
        : Promise.resolve({ ok: true, value: undefined });
    const ahead = settle(bindings.readAhead(env, applicationName));
    const allowed = settle(
      access.isAllowed(
        credentials,
        apimCredentialsProvisionPermission,
        entityRef,
      ),
    );

    const count = await counted;
    if (!count.ok) {
      if (count.error instanceof RateLimitedError) await deny(count.error);
      throw count.error;
    }
    const permission = await allowed;
    if (!permission.ok) throw permission.error;
    if (!permission.value) {
      const verb =
        action === 'verify'
          ? 'verify API-M credentials for'
          : 'change the API-M credentials of';
      throw await deny(
        new NotAllowedError(`You may not ${verb} ${entityRef}; ask its owners`),
      );
    }
    // Only now: a caller who may not act learns nothing about API-M's state.
    if (listing.error) {
      throw await failBeforeAttempt({ trail, event }, start, listing.error);
    }
    const readAhead = await ahead;
    const binding = await settle(
      bindings.check(
        env,
        entityRef,
        applicationName,
        readAhead.ok ? readAhead.value : undefined,
      ),
    );
    if (!binding.ok) {
      const error = binding.error;
      if (isBindingDenial(error)) {
        await bindings.auditDenial(start, error);
        await event.fail({ error });
      } else if (isPreflightFault(error)) {
        throw await failBeforeAttempt({ trail, event }, start, error);
      }
      throw error;
    }
    return {
      env,
      entityRef,
      applicationName,
      caller,
      event,
      start,
      deny,
      boundApplicationId: binding.value.app?.applicationId,
    };
  };
}

/**
 * What the key manager name is checked against: removal also accepts a key manager registered
 * in API-M or recorded for the entity (it may no longer be offered), provisioning is checked
 * for the entity, verification only against the environment's offer.
 */
function keyManagerCheck(
  action: CellGateRequest['action'],
  entityRef: string,
): { forRemoval?: boolean; entityRef?: string } {
  switch (action) {
    case 'unprovision':
      return { forRemoval: true, entityRef };
    case 'provision':
      return { entityRef };
    default:
      return {};
  }
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** `promise` as a value that never rejects, so a check started early cannot go unhandled. */
function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    value => ({ ok: true as const, value }),
    error => ({ ok: false as const, error }),
  );
}
