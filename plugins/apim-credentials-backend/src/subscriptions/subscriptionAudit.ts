/**
 * The audited change of a subscription (issue 16): every subscribe / unsubscribe, allowed or
 * not, is an audit row naming the entity, the environment and the API (`api_ref`, `api_id`,
 * `api_name`), and an auditor event. A caller without `apim.subscriptions.manage` on the entity
 * gets 403 `PERMISSION_DENIED` and a `denied` row before API-M is asked anything.
 */
import type { Request } from 'express';
import type {
  AuditorService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { apimSubscriptionsManagePermission } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { Access } from '../access';
import { runAuditedChange } from '../auditedChange';
import { coded } from '../errors';
import { auditStart, type AuditTrail } from '../service/AuditTrail';
import type { Caller } from '../service/ProvisioningService';
import type { SubscriptionsService } from './SubscriptionsService';

/** What a change is about, known before API-M is asked. */
export interface ChangeSubject {
  entityRef: string;
  environment: string;
  applicationName: string;
  /** The API entity (`api:default/orders-api`); absent for an undeclared API. */
  apiRef?: string;
  /** API-M's API id, when already known (undeclared APIs in a sync). */
  apiId?: string;
  /** `OrdersAPI 1.0.0` when the entity's annotations or API-M's listing name it. */
  apiName?: string;
  dryRun?: boolean;
}

/** What a change returns: its outcome, and the application and API API-M resolved. */
export interface ChangeOutcome {
  outcome: 'succeeded' | 'unchanged';
  app?: { applicationId: string; name: string };
  api?: { id: string; name: string; version: string };
}

export type AuditedChange = <T extends ChangeOutcome>(
  req: Request,
  credentials: BackstageCredentials,
  action: 'subscribe' | 'unsubscribe',
  subject: ChangeSubject,
  run: () => Promise<T>,
) => Promise<T>;

/**
 * @returns `change(req, credentials, action, subject, run)`: checks the permission, then runs
 *   `run` inside a `pending` row completed with its outcome (or `failed` with the error's code);
 *   rethrows `run`'s error
 * @throws 403 `PERMISSION_DENIED` (a `denied` row, the event failed) without calling `run`
 */
export function createAuditedChange(deps: {
  auditor: AuditorService;
  trail: AuditTrail;
  access: Pick<Access, 'isAllowed'>;
  callerOf(req: Request, credentials: BackstageCredentials): Caller;
  subscriptions: Pick<SubscriptionsService, 'environment'>;
}): AuditedChange {
  const { access, subscriptions } = deps;
  return async (req, credentials, action, subject, run) => {
    const caller = deps.callerOf(req, credentials);
    const env = subscriptions.environment(subject.environment);
    const start = auditStart(action, caller, {
      entityRef: subject.entityRef,
      environment: env.id,
      instance: env.instance,
      keyType: env.keyType,
      applicationName: subject.applicationName,
      apiRef: subject.apiRef,
      apiId: subject.apiId,
      apiName: subject.apiName,
      dryRun: subject.dryRun,
    });
    const { done } = await runAuditedChange(deps, {
      req,
      start,
      eventMeta: { ...subject },
      allowed: () =>
        access.isAllowed(
          credentials,
          apimSubscriptionsManagePermission,
          subject.entityRef,
        ),
      denied: () =>
        coded(
          new NotAllowedError(
            `You may not change the API subscriptions of ${subject.entityRef}; ask its owners for apim.subscriptions.manage`,
          ),
          'PERMISSION_DENIED',
        ),
      run,
      completion: result => ({
        outcome: result.outcome,
        applicationId: result.app?.applicationId,
        applicationName: result.app?.name,
        // The API as API-M resolved it: an entity annotated with a name only gets its id here.
        apiId: result.api?.id,
        apiName: result.api
          ? `${result.api.name} ${result.api.version}`
          : undefined,
      }),
      successMeta: result => ({
        outcome: result.outcome,
        apiId: result.api?.id,
      }),
    });
    return done;
  };
}
