/**
 * An API-M fault met while a request is being checked, before its attempt starts: the key
 * manager listing behind the name check, the application lookup behind the binding check
 * (issue 10 items 1 and 5). The caller is not at fault, so the attempt is audited as `failed`
 * and answered with the translated 502/503/504 naming the API-M instance (translateError,
 * CONTRACT.md 2.4, 3.1) instead of leaking out as a 500 `INTERNAL` without an audit row, or
 * being retried by the attempt (a second timeout would double the caller's wait).
 */
import { ApimError } from '../apim/ApimError';
import type { AuditStart } from '../database/AuditStore';
import type { AuditTrail } from './AuditTrail';
import { translateError } from './translateError';

/** Whether an error met before the attempt is an API-M fault that fails the attempt. */
export function isPreflightFault(error: unknown): boolean {
  return error instanceof ApimError;
}

/**
 * Records the attempt `start` describes as `failed` with the fault's code and message, fails the
 * auditor event, and returns the error the caller gets. A row that cannot be written does not
 * hide the fault: the caller still gets the API-M error.
 *
 * @param start - the attempt's audit fields (its `instance` is named in the message)
 * @param error - an API-M fault (see {@link isPreflightFault})
 * @returns the translated error (UpstreamError 502/503/504, code `APIM_*`)
 */
export async function failBeforeAttempt(
  deps: {
    trail: Pick<AuditTrail, 'record'>;
    event: { fail(options: { error: Error }): Promise<void> };
  },
  start: AuditStart,
  error: unknown,
): Promise<Error> {
  const { error: translated, code } = translateError(
    error,
    start.instance ?? 'unknown',
  );
  await deps.trail
    .record(start, {
      outcome: 'failed',
      errorCode: code,
      errorMessage: translated.message,
    })
    .catch(() => undefined);
  await deps.event.fail({ error: translated }).catch(() => undefined);
  return translated;
}
