/**
 * One HTTPS connection pool per API-M instance (and the key managers reached through it): the
 * configured CA in addition to the default roots, certificate checks on unless the config says
 * otherwise, and a timeout on every call. Transport failures become ApimError with kind timeout /
 * unreachable. Redirects are never followed: a 307/308 would re-send map-keys' body or a token
 * request's Basic credentials to wherever the Location points (issue 10 item 4); a 3xx is an
 * ApimError of kind `redirect` naming the location. Bodies are read up to a cap.
 */
import tls from 'node:tls';
import { Agent, request as undiciRequest } from 'undici';
import type { Dispatcher } from 'undici';
import { ApimError } from './ApimError';

/** The most a response body may hold; API-M's largest answers (listings) are far below. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * The CAs a connection trusts: the process's default roots (Node's bundle, plus the system
 * store or NODE_EXTRA_CA_CERTS when Node is told to use them) and the configured one. Passing
 * only `ca` to TLS would replace the roots, and a key manager with a public certificate would
 * stop verifying.
 */
export function trustedCas(ca?: string): string[] | undefined {
  if (!ca) return undefined;
  const defaults =
    typeof tls.getCACertificates === 'function'
      ? tls.getCACertificates('default')
      : [...tls.rootCertificates];
  return [...defaults, ca];
}

export interface HttpTransportOptions {
  ca?: string;
  rejectUnauthorized: boolean;
  timeoutMs: number;
}

export interface HttpRequest {
  /** Upper case: undici's request sends it as given. */
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Label for errors and logs, e.g. "POST /applications/{id}/map-keys"; never holds secrets. */
  operation: string;
}

/**
 * An answer whose body is still to be read (readText). undici's `request`, not `fetch`: no
 * WHATWG streams and no Request/Response objects on every API-M call, a fraction of fetch's
 * CPU per call (issue 9, "Performance"); redirects are never followed by either.
 */
export interface HttpResponse {
  status: number;
  /** A 2xx status. */
  ok: boolean;
  headers: Dispatcher.ResponseData['headers'];
  body: Pick<
    Dispatcher.ResponseData['body'],
    'dump' | typeof Symbol.asyncIterator
  >;
}

export class HttpTransport {
  private readonly agent: Agent;
  readonly timeoutMs: number;

  constructor(options: HttpTransportOptions) {
    this.timeoutMs = options.timeoutMs;
    this.agent = new Agent({
      connect: {
        // One context for the pool: parsing ~150 roots per connection would cost more than the call.
        ...(options.ca
          ? {
              secureContext: tls.createSecureContext({
                ca: trustedCas(options.ca),
              }),
            }
          : {}),
        rejectUnauthorized: options.rejectUnauthorized,
        timeout: options.timeoutMs,
      },
      // Concurrent tab reads fan out; keep enough sockets for them.
      connections: 32,
    });
  }

  /**
   * Sends one request. Rejects with ApimError: `redirect` for any 3xx (never followed),
   * `timeout` / `unreachable` for transport failures. Other statuses resolve.
   */
  async send(request: HttpRequest): Promise<HttpResponse> {
    let response: Dispatcher.ResponseData;
    try {
      response = await undiciRequest(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw toTransportError(error, request.operation, this.timeoutMs);
    }
    const { statusCode: status, headers, body } = response;
    if (status >= 300 && status < 400) {
      await body.dump().catch(() => undefined);
      throw redirectError(status, headers, request.url, request.operation);
    }
    return { status, ok: status >= 200 && status < 300, headers, body };
  }

  /**
   * Reads a body as UTF-8 text, up to MAX_RESPONSE_BYTES (ApimError `malformed` beyond), turning
   * a stalled or broken body into the same errors as a failed call.
   */
  async readText(response: HttpResponse, operation: string): Promise<string> {
    const declared = Number(headerOf(response.headers, 'content-length') ?? 0);
    if (declared > MAX_RESPONSE_BYTES) {
      await response.body.dump().catch(() => undefined);
      throw tooLarge(operation);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        size += chunk.byteLength;
        if (size > MAX_RESPONSE_BYTES) {
          await response.body.dump().catch(() => undefined);
          throw tooLarge(operation);
        }
        chunks.push(chunk);
      }
    } catch (error) {
      if (error instanceof ApimError) throw error;
      throw toTransportError(error, operation, this.timeoutMs);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function tooLarge(operation: string): ApimError {
  return new ApimError(
    'malformed',
    operation,
    `${operation} answered with a body larger than ${MAX_RESPONSE_BYTES} bytes`,
  );
}

/** One header's value (the first of a repeated one), or undefined. */
function headerOf(
  headers: HttpResponse['headers'],
  name: string,
): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Names where the redirect pointed (the Location header without its query, which may hold tokens). */
function redirectError(
  status: number,
  headers: HttpResponse['headers'],
  requestUrl: string,
  operation: string,
): ApimError {
  const location = headerOf(headers, 'location');
  let where = 'no Location header';
  if (location) {
    try {
      const url = new URL(location, requestUrl);
      where = `Location ${url.origin}${url.pathname}`;
    } catch {
      where = 'an unparseable Location header';
    }
  }
  return new ApimError(
    'redirect',
    operation,
    `${operation} with HTTP ${status} redirecting to ${where}`,
    status,
    status,
  );
}

/** undici's codes for a call out of time (connect, headers, body); the signal's is an AbortError. */
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

function toTransportError(
  error: unknown,
  operation: string,
  timeoutMs: number,
): ApimError {
  type Failure = Error & { code?: string; cause?: Failure };
  const err = error as Failure;
  // undici's request throws the socket's or TLS's own error; a wrapped one (fetch) its cause.
  const root = err?.cause ?? err;
  if (
    err?.name === 'TimeoutError' ||
    err?.name === 'AbortError' ||
    root?.name === 'TimeoutError' ||
    (root?.code !== undefined && TIMEOUT_CODES.has(root.code))
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
  const code = root?.code;
  const detail = code
    ? `${code}${root.message ? `: ${root.message}` : ''}`
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

/**
 * `transport` with every request started only when `pace()` resolves: the drift job's rate cap
 * (service/drift/InstanceGate.ts) is kept where requests leave, not where calls are queued, so
 * work between the two (a token, a busy event loop) cannot bunch requests over the cap.
 */
export function pacedTransport(
  transport: Pick<HttpTransport, 'send' | 'readText'>,
  pace: () => Promise<void>,
): Pick<HttpTransport, 'send' | 'readText'> {
  return {
    send: async request => {
      await pace();
      return transport.send(request);
    },
    readText: (response, operation) => transport.readText(response, operation),
  };
}
