/**
 * One devportal v3 call of an API-M instance: authenticated through the TokenProvider (retried
 * once with a fresh token on a 401), WSO2's error envelope turned into ApimError, the JSON body
 * parsed. The resource modules (applications.ts, oauthKeys.ts, keyManagers.ts,
 * apisAndSubscriptions.ts) are written against {@link DevportalCall}.
 */
import { ApimError } from './ApimError';
import { HttpTransport } from './HttpTransport';
import { TokenProvider, parseJson } from './TokenProvider';

const DEVPORTAL = '/api/am/devportal/v3';

export interface CallOptions {
  method: string;
  /** Under /api/am/devportal/v3, with the query string. */
  path: string;
  /** The path with ids replaced by placeholders, for error messages and logs. */
  operation: string;
  body?: unknown;
}

/**
 * Sends one call and resolves its parsed body (`undefined` for an empty one).
 *
 * @throws ApimError `http` for a non-2xx answer (WSO2's code and description kept), and the
 *   transport's errors (timeout, unreachable, malformed)
 */
export type DevportalCall = <T>(options: CallOptions) => Promise<T>;

/** The {@link DevportalCall} of one instance. */
export function devportalCall(options: {
  baseUrl: string;
  /** Where calls are sent: the instance's transport, or a paced view of it (pacedTransport). */
  transport: Pick<HttpTransport, 'send' | 'readText'>;
  tokens: TokenProvider;
}): DevportalCall {
  const { baseUrl, transport, tokens } = options;
  const call = async <T>(request: CallOptions, retried = false): Promise<T> => {
    const token = await tokens.getToken();
    const response = await transport.send({
      method: request.method,
      url: `${baseUrl}${DEVPORTAL}${request.path}`,
      operation: request.operation,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(request.body !== undefined
          ? { 'content-type': 'application/json' }
          : {}),
      },
      body:
        request.body !== undefined ? JSON.stringify(request.body) : undefined,
    });
    const text = await transport.readText(response, request.operation);
    if (response.status === 401 && !retried) {
      // The token may have been revoked or expired early: one retry with a fresh one.
      tokens.invalidate(token);
      return call<T>(request, true);
    }
    if (!response.ok) {
      throw toHttpError(response.status, text, request.operation);
    }
    if (!text) return undefined as T;
    return parseJson(text, request.operation) as T;
  };
  return request => call(request);
}

function toHttpError(
  status: number,
  text: string,
  operation: string,
): ApimError {
  let envelope: { code?: unknown; message?: unknown; description?: unknown } =
    {};
  try {
    envelope = JSON.parse(text) ?? {};
  } catch {
    // WSO2 and proxies in front of it sometimes answer with HTML; the status still says enough.
  }
  const code =
    typeof envelope.code === 'number'
      ? envelope.code
      : Number(envelope.code) || status;
  const message = typeof envelope.message === 'string' ? envelope.message : '';
  const description =
    typeof envelope.description === 'string' ? envelope.description : undefined;
  return new ApimError(
    'http',
    operation,
    `${operation} failed with HTTP ${status}${
      code !== status ? ` (code ${code})` : ''
    }${message ? `: ${message}` : ''}`,
    status,
    code,
    description,
  );
}
