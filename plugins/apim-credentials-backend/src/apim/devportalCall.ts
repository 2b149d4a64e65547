/**
 * One devportal v3 call of an API-M instance: authenticated through the TokenProvider (retried
 * once with a fresh token on a 401), WSO2's error envelope turned into ApimError, the JSON body
 * parsed. The resource modules (applications.ts, oauthKeys.ts, keyManagers.ts,
 * apisAndSubscriptions.ts) are written against {@link DevportalCall}.
 */
import { ApimError } from './ApimError';
import { HttpTransport } from './HttpTransport';
import type { HttpRequest } from './HttpTransport';
import { TokenProvider, parseJson } from './TokenProvider';

const DEVPORTAL = '/api/am/devportal/v3';

export interface CallOptions {
  method: HttpRequest['method'];
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

/** The items of a devportal listing (`{ list: [...] }`) of one page: a GET of `path`. */
export async function getList(
  call: DevportalCall,
  path: string,
  operation: string,
): Promise<unknown[]> {
  const page = await call<{ list?: unknown[] }>({
    method: 'GET',
    path,
    operation,
  });
  return page.list ?? [];
}

/**
 * The items of a devportal listing (`{ list: [...] }`), page after page of `limit`, until a short
 * page or `maxPages` (then what came so far). Each page is a GET of `path` with `params` and the
 * page's `limit` and `offset`.
 *
 * @param operation - the call's operation, for error messages and logs
 */
export async function* listPages<T>(
  call: DevportalCall,
  listing: {
    path: string;
    params: Record<string, string>;
    operation: string;
    maxPages?: number;
  },
): AsyncGenerator<T[]> {
  const limit = 100;
  const end = (listing.maxPages ?? Infinity) * limit;
  for (let offset = 0; offset < end; offset += limit) {
    const page = await call<{ list?: T[] }>({
      method: 'GET',
      path: `${listing.path}?${new URLSearchParams({
        ...listing.params,
        limit: String(limit),
        offset: String(offset),
      })}`,
      operation: listing.operation,
    });
    const list = page.list ?? [];
    yield list;
    if (list.length < limit) return;
  }
}

/**
 * `raw` (an object of API-M's answer) as a record, once it has a string in each of `fields`.
 *
 * @param schema - the devportal schema it should follow (`APIInfo`), for the error
 * @param what - what it is, for the error's message (`an API`)
 * @throws ApimError `malformed` "API-M returned <what> without <fields joined by or>"
 */
export function recordWith<K extends string>(
  raw: unknown,
  fields: readonly K[],
  schema: string,
  what: string,
): Record<string, unknown> & Record<K, string> {
  const record = (raw ?? {}) as Record<string, unknown>;
  if (fields.some(field => typeof record[field] !== 'string')) {
    throw new ApimError(
      'malformed',
      schema,
      `API-M returned ${what} without ${fields.join(' or ')}`,
    );
  }
  return record as Record<string, unknown> & Record<K, string>;
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
