/**
 * One HTTPS connection pool per API-M instance (and the key managers reached through it): the
 * configured CA, certificate checks on unless the config says otherwise, and a timeout on every
 * call. Transport failures become ApimError with kind timeout / unreachable.
 */
import { Agent, fetch } from 'undici';
import type { Response } from 'undici';
import { ApimError } from './ApimError';

export interface HttpTransportOptions {
  ca?: string;
  rejectUnauthorized: boolean;
  timeoutMs: number;
}

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Label for errors and logs, e.g. "POST /applications/{id}/map-keys"; never holds secrets. */
  operation: string;
}

export class HttpTransport {
  private readonly agent: Agent;
  readonly timeoutMs: number;

  constructor(options: HttpTransportOptions) {
    this.timeoutMs = options.timeoutMs;
    this.agent = new Agent({
      connect: {
        ca: options.ca,
        rejectUnauthorized: options.rejectUnauthorized,
        timeout: options.timeoutMs,
      },
      // Concurrent tab reads fan out; keep enough sockets for them.
      connections: 32,
    });
  }

  async send(request: HttpRequest): Promise<Response> {
    try {
      return await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw toTransportError(error, request.operation, this.timeoutMs);
    }
  }

  /** Reads a body, turning a stalled or broken body into the same errors as a failed call. */
  async readText(response: Response, operation: string): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      throw toTransportError(error, operation, this.timeoutMs);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function toTransportError(
  error: unknown,
  operation: string,
  timeoutMs: number,
): ApimError {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (
    err?.name === 'TimeoutError' ||
    err?.name === 'AbortError' ||
    err?.cause?.code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return new ApimError(
      'timeout',
      operation,
      `${operation} did not answer within ${timeoutMs} ms`,
      undefined,
      undefined,
      undefined,
      { cause: error },
    );
  }
  const code = err?.cause?.code;
  const detail = code
    ? `${code}${err.cause?.message ? `: ${err.cause.message}` : ''}`
    : err?.message;
  return new ApimError(
    'unreachable',
    operation,
    `${operation} failed: ${detail}`,
    undefined,
    undefined,
    undefined,
    { cause: error },
  );
}
