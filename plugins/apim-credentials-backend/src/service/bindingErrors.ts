/**
 * Errors of the binding rules (issue 10, item 1). Each carries a stable `code` from
 * APIM_CREDENTIALS_ERROR_CODES (apim-credentials-common) in the error body, and the entity the
 * application belongs to, so the caller learns whom to ask and nothing about the keys.
 */
import { ConflictError, NotAllowedError } from '@backstage/errors';
import type { AuditStart, AuditStore } from '../database/AuditStore';

/** 403: the annotation's application is bound to another entity. */
export class ApplicationBoundElsewhereError extends NotAllowedError {
  readonly code = 'APPLICATION_BOUND_ELSEWHERE';
  constructor(
    readonly applicationName: string,
    readonly boundTo: string,
    readonly instance: string,
  ) {
    super(
      `API-M application "${applicationName}" in instance "${instance}" belongs to ${boundTo}; only that entity may use it. Name another application in the wso2.com/apim-application annotation, or ask the platform team (apim.applications.bind) to move the binding.`,
    );
  }
}

/** 403: the application exists in API-M, but Backstage neither created nor bound it. */
export class ApplicationNotBoundError extends NotAllowedError {
  readonly code = 'APPLICATION_NOT_BOUND';
  constructor(
    readonly applicationName: string,
    readonly instance: string,
    readonly entityRef: string,
  ) {
    super(
      `API-M application "${applicationName}" in instance "${instance}" already exists and is bound to no entity; ask the platform team (apim.applications.bind) to bind it to ${entityRef}.`,
    );
  }
}

/** 409: binding an application that is bound to another entity; unbind it first. */
export class BindingConflictError extends ConflictError {
  readonly code = 'BINDING_CONFLICT';
  constructor(
    readonly applicationName: string,
    readonly boundTo: string,
    readonly instance: string,
  ) {
    super(
      `API-M application "${applicationName}" in instance "${instance}" is already bound to ${boundTo}; unbind it first.`,
    );
  }
}

/** Whether an error is one of the binding denials (audited as `denied`). */
export function isBindingDenial(
  error: unknown,
): error is ApplicationBoundElsewhereError | ApplicationNotBoundError {
  return (
    error instanceof ApplicationBoundElsewhereError ||
    error instanceof ApplicationNotBoundError
  );
}

/**
 * Records a binding denial as `denied` audit rows on the history of the entity that asked and,
 * when the application belongs to another entity, on that entity's history too: its owners
 * see who tried to use their application. Anything but a binding denial records nothing.
 */
export async function recordBindingDenial(
  audit: Pick<AuditStore, 'recordAudit'>,
  start: AuditStart,
  error: unknown,
): Promise<void> {
  if (!isBindingDenial(error)) return;
  const completion = {
    outcome: 'denied' as const,
    errorCode: error.code,
    errorMessage: error.message,
  };
  const rows = [audit.recordAudit(start, completion)];
  if (
    error instanceof ApplicationBoundElsewhereError &&
    error.boundTo !== start.entityRef
  ) {
    rows.push(
      audit.recordAudit(
        {
          ...start,
          entityRef: error.boundTo,
          // The attempt was made for the other entity; this row only tells the owner.
          via: start.via,
        },
        {
          ...completion,
          errorMessage: `${start.entityRef} tried to use this entity's application "${error.applicationName}": ${error.message}`,
        },
      ),
    );
  }
  await Promise.all(rows);
}
