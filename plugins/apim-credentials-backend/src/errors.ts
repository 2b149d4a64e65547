import { CustomErrorBase, InputError } from '@backstage/errors';

/**
 * API-M or a key manager failed or did not answer in time. Carries the HTTP status the
 * Backstage error handler answers with (502 bad answer / unreachable, 503 refused, 504 timeout),
 * and a message that says which system failed and what an operator can do.
 */
export class UpstreamError extends CustomErrorBase {
  name = 'UpstreamError' as const;
  constructor(
    message: string,
    readonly statusCode: 502 | 503 | 504,
    readonly code: string,
    cause?: unknown,
  ) {
    super(message, cause);
  }
}

/** The key manager refused the credentials; a 400 whose message gives its reason. */
export class VerificationFailedError extends InputError {
  readonly code = 'VERIFICATION_FAILED';
}
