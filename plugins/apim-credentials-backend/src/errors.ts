/**
 * Errors the REST API answers with. Each carries a stable `code` from
 * `ApimCredentialsErrorCode` (plugins/apim-credentials-common/src/errors.ts); the router's
 * error handler (errorResponse.ts) gives every other error a code by its kind.
 */
import {
  AuthenticationError,
  ConflictError,
  CustomErrorBase,
  InputError,
  NotAllowedError,
  NotFoundError,
  isError,
} from '@backstage/errors';
import {
  ApimCredentialsErrorCode,
  isApimCredentialsErrorCode,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';

/** An error with a stable code attached. */
export type CodedError<E extends Error = Error> = E & {
  readonly code: ApimCredentialsErrorCode;
};

/**
 * Attaches a stable code to one of Backstage's errors, keeping its name (and so the HTTP status
 * Backstage's error handler derives from it), e.g. `coded(new ConflictError(msg), 'SLOT_TAKEN')`.
 */
export function coded<E extends Error>(
  error: E,
  code: ApimCredentialsErrorCode,
): CodedError<E> {
  return Object.assign(error, { code });
}

/**
 * API-M or a key manager failed or did not answer in time. Carries the HTTP status the
 * Backstage error handler answers with (502 bad answer / unreachable, 503 refused, 504 timeout),
 * and a message that says which system failed and what an operator can do. The cause stays on
 * the object for the log; the error handler never sends it (see errorResponse.ts).
 */
export class UpstreamError extends Error {
  name = 'UpstreamError' as const;
  constructor(
    message: string,
    readonly statusCode: 502 | 503 | 504,
    readonly code: ApimCredentialsErrorCode,
    cause?: unknown,
  ) {
    // Not CustomErrorBase: it appends the cause's text (hosts, ports) to the message.
    super(message, { cause });
  }
}

/** The key manager refused the credentials; a 400 whose message gives its reason. */
export class VerificationFailedError extends InputError {
  readonly code = 'VERIFICATION_FAILED' as const;
}

/**
 * Too many attempts (issue 10 item 3): 429 with the seconds after which a retry may succeed,
 * sent as the `Retry-After` header by the router.
 */
export class RateLimitedError extends CustomErrorBase {
  name = 'RateLimitedError' as const;
  readonly statusCode = 429 as const;
  readonly code = 'RATE_LIMITED' as const;
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
  }
}

/**
 * The stable code of any error: its own when it carries a known one, otherwise one derived from
 * Backstage's error kinds; `INTERNAL` for everything unexpected.
 */
export function errorCodeOf(error: unknown): ApimCredentialsErrorCode {
  if (!isError(error)) return 'INTERNAL';
  const own = (error as { code?: unknown }).code;
  if (isApimCredentialsErrorCode(own)) return own;
  switch (error.name) {
    case InputError.name:
      return 'INVALID_INPUT';
    case AuthenticationError.name:
      return 'AUTHENTICATION_REQUIRED';
    case NotAllowedError.name:
      return 'PERMISSION_DENIED';
    case NotFoundError.name:
      return 'NOT_FOUND';
    case ConflictError.name:
      return 'CONFLICT';
    default:
      return 'INTERNAL';
  }
}
