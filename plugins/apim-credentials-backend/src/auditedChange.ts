/**
 * An audited change outside the credentials cell: binding an application (`bind`/`unbind`) and
 * subscribing it to an API (`subscribe`/`unsubscribe`). One shape for both: an auditor event;
 * without the permission a `denied` row and a 403 before anything is asked of API-M; otherwise a
 * `pending` row completed with the change's outcome, or `failed` with the error's stable code.
 * The owners of the entity hear of a change that happened (notifications/ownerNotifications.ts).
 */
import type { Request } from 'express';
import type { AuditorService } from '@backstage/backend-plugin-api';
import type { JsonObject } from '@backstage/types';
import type { AuditCompletion, AuditStart } from './database/AuditStore';
import { errorCodeOf } from './errors';
import type { AuditTrail } from './service/AuditTrail';

export interface AuditedChangeRequest<T> {
  req: Request;
  /** The row's fields; `action` is also the auditor event's id. */
  start: AuditStart;
  /** Extra auditor event fields (never a secret). */
  eventMeta: JsonObject;
  /** Whether the caller may make the change; asked before anything else. */
  allowed: () => Promise<boolean>;
  /** The 403 for a caller who may not (its `code` is recorded; default `PERMISSION_DENIED`). */
  denied: () => Error;
  /** Makes the change. */
  run: () => Promise<T>;
  /** The row's completion for what `run` returned. */
  completion: (done: T) => AuditCompletion;
  /** The auditor event's success fields for what `run` returned. */
  successMeta?: (done: T) => JsonObject;
}

/**
 * Runs `request.run` as an audited change and returns what it returned with the row's id.
 *
 * @throws the error of `denied()` (after a `denied` row) or `run`'s error (after a `failed` row)
 */
export async function runAuditedChange<T>(
  deps: { trail: AuditTrail; auditor: AuditorService },
  request: AuditedChangeRequest<T>,
): Promise<{ done: T; auditId: string }> {
  const { trail, auditor } = deps;
  const event = await auditor.createEvent({
    eventId: request.start.action,
    severityLevel: 'high',
    request: request.req,
    meta: request.eventMeta,
  });
  if (!(await request.allowed())) {
    const error = request.denied();
    await trail.deny(request.start, error);
    await event.fail({ error });
    throw error;
  }
  const auditId = await trail.begin(request.start);
  try {
    const done = await request.run();
    await trail.complete(auditId, request.completion(done), { notify: true });
    await event.success({ meta: request.successMeta?.(done) ?? {} });
    return { done, auditId };
  } catch (error) {
    await trail.complete(auditId, {
      outcome: 'failed',
      errorCode: errorCodeOf(error),
      errorMessage: (error as Error).message,
    });
    await event.fail({ error: error as Error });
    throw error;
  }
}
