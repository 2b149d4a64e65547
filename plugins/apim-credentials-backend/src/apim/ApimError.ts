/** What went wrong talking to API-M, before the service decides what it means for the caller. */
export type ApimFailureKind =
  /** API-M answered with an error status; `upstreamStatus` and `code` say which. */
  | 'http'
  /** API-M answered with a redirect, which is never followed (it would re-send the body). */
  | 'redirect'
  /** No answer within the configured timeout. */
  | 'timeout'
  /** Connection refused, reset, DNS or TLS failure. */
  | 'unreachable'
  /** A success status with a body that is not the expected JSON, or larger than the cap. */
  | 'malformed';

/**
 * A failed call to API-M or a token endpoint, before translateError decides what it means for
 * the caller. The message names the operation, never a secret.
 */
export class ApimError extends Error {
  name = 'ApimError' as const;
  constructor(
    readonly kind: ApimFailureKind,
    /** Method and path of the failed call, never with a query that could hold secrets. */
    readonly operation: string,
    message: string,
    /**
     * The HTTP status API-M answered with. Deliberately not named `status`/`statusCode`: an
     * error that escaped translation must never become Backstage's own HTTP status.
     */
    readonly upstreamStatus?: number,
    /** WSO2's error code (900967, 901409, 901403...) or the HTTP status when it has none. */
    readonly code?: number,
    readonly description?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  is(status: number, code?: number): boolean {
    return (
      this.kind === 'http' &&
      this.upstreamStatus === status &&
      (code === undefined || this.code === code)
    );
  }
}
