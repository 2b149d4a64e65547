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
import type {
  ApimCredentialsStore,
  AuditStart,
} from '../database/ApimCredentialsStore';
import { coded, errorCodeOf } from '../errors';
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
  store: Pick<
    ApimCredentialsStore,
    'recordAudit' | 'startAudit' | 'completeAudit'
  >;
  access: Pick<Access, 'isAllowed'>;
  callerOf(req: Request, credentials: BackstageCredentials): Caller;
  subscriptions: Pick<SubscriptionsService, 'environment'>;
}): AuditedChange {
  const { auditor, store, access, subscriptions } = deps;
  return async (req, credentials, action, subject, run) => {
    const caller = deps.callerOf(req, credentials);
    const env = subscriptions.environment(subject.environment);
    const audit: AuditStart = {
      action,
      actor: caller.userEntityRef,
      source: caller.source,
      via: caller.via,
      taskId: caller.taskId,
      requestId: caller.requestId,
      entityRef: subject.entityRef,
      environment: env.id,
      instance: env.instance,
      keyType: env.keyType,
      applicationName: subject.applicationName,
      apiRef: subject.apiRef,
      apiId: subject.apiId,
      apiName: subject.apiName,
      dryRun: subject.dryRun,
    };
    const event = await auditor.createEvent({
      eventId: action,
      severityLevel: 'high',
      request: req,
      meta: { ...subject },
    });
    const allowed = await access.isAllowed(
      credentials,
      apimSubscriptionsManagePermission,
      subject.entityRef,
    );
    if (!allowed) {
      const error = coded(
        new NotAllowedError(
          `You may not change the API subscriptions of ${subject.entityRef}; ask its owners for apim.subscriptions.manage`,
        ),
        'PERMISSION_DENIED',
      );
      await store.recordAudit(audit, {
        outcome: 'denied',
        errorCode: 'PERMISSION_DENIED',
        errorMessage: error.message,
      });
      await event.fail({ error });
      throw error;
    }
    const auditId = await store.startAudit(audit);
    try {
      const done = await run();
      await store.completeAudit(auditId, {
        outcome: done.outcome,
        applicationId: done.app?.applicationId,
        applicationName: done.app?.name,
        // The API as API-M resolved it: an entity annotated with a name only gets its id here.
        apiId: done.api?.id,
        apiName: done.api ? `${done.api.name} ${done.api.version}` : undefined,
      });
      await event.success({
        meta: { outcome: done.outcome, apiId: done.api?.id },
      });
      return done;
    } catch (error) {
      await store.completeAudit(auditId, {
        outcome: 'failed',
        errorCode: errorCodeOf(error),
        errorMessage: (error as Error).message,
      });
      await event.fail({ error: error as Error });
      throw error;
    }
  };
}
