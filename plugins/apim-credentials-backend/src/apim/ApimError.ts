/** What went wrong talking to API-M, before the service decides what it means for the caller. */
export type ApimFailureKind =
  /** API-M answered with an error status; `status` and `code` say which. */
  | 'http'
  /** No answer within the configured timeout. */
  | 'timeout'
  /** Connection refused, reset, DNS or TLS failure. */
  | 'unreachable'
  /** A success status with a body that is not the expected JSON. */
  | 'malformed';

export class ApimError extends Error {
  name = 'ApimError' as const;
  constructor(
    readonly kind: ApimFailureKind,
    /** Method and path of the failed call, never with a query that could hold secrets. */
    readonly operation: string,
    message: string,
    readonly status?: number,
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
      this.status === status &&
      (code === undefined || this.code === code)
    );
  }
}
