/**
 * Validation of devportal requests and responses against spec/devportal-api.yaml (WSO2's own
 * OpenAPI file) with openapi-backend. Test-time adjustments, all explicit:
 *  - operations without an operationId get `<METHOD> <path>` (openapi-backend needs one);
 *  - operations get a `default` response with the Error schema, so error statuses the spec does
 *    not list (401, 403, 409, 500 ...) must still carry WSO2's error envelope;
 *  - null-valued properties are dropped before response validation: WSO2 serialises unset DTO
 *    fields as null (contract section 3) but the spec never marks them nullable.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import OpenAPIBackend, { type Operation } from 'openapi-backend';
import { load } from 'js-yaml';

export const SPEC_PATH = path.resolve(
  __dirname,
  '../../spec/devportal-api.yaml',
);
export const API_ROOT = '/api/am/devportal/v3';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

let cached: Promise<OpenAPIBackend> | undefined;

export function loadDevportalSpec(): Promise<OpenAPIBackend> {
  cached ??= (async () => {
    const definition = load(readFileSync(SPEC_PATH, 'utf8')) as any;
    for (const [p, item] of Object.entries<Record<string, any>>(
      definition.paths,
    )) {
      for (const m of METHODS) {
        const op = item[m];
        if (!op) continue;
        op.operationId ??= `${m.toUpperCase()} ${p}`;
        op.responses ??= {};
        op.responses.default ??= {
          description:
            'Error (added for tests: undocumented statuses carry the Error envelope)',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Error' },
            },
          },
        };
      }
    }
    const api = new OpenAPIBackend({
      definition,
      apiRoot: API_ROOT,
      validate: true,
      strict: false,
      quick: false,
    });
    await api.init();
    return api;
  })();
  return cached;
}

export function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, dropNulls(v)]),
    );
  }
  return value;
}

export interface ValidationInput {
  method: string;
  /** Full path incl. /api/am/devportal/v3 and query string. */
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

export function findOperation(
  api: OpenAPIBackend,
  method: string,
  url: string,
): Operation {
  const u = new URL(url, 'https://x');
  const op = api.matchOperation({ method, path: u.pathname, headers: {} });
  if (!op)
    throw new Error(
      `No operation in devportal-api.yaml for ${method} ${u.pathname}`,
    );
  return op;
}

export function validateRequest(
  api: OpenAPIBackend,
  input: ValidationInput,
): string[] {
  const u = new URL(input.url, 'https://x');
  const op = findOperation(api, input.method, input.url);
  const result = api.validateRequest(
    {
      method: input.method,
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      headers: input.headers,
      body: input.body,
    },
    op,
  );
  return result.valid
    ? []
    : (result.errors ?? []).map(e => `${e.instancePath} ${e.message}`);
}

export function validateResponse(
  api: OpenAPIBackend,
  op: Operation,
  status: number,
  contentType: string | undefined,
  text: string,
): string[] {
  const responses = (op.responses ?? {}) as Record<string, any>;
  const declared =
    responses[String(status)] ??
    responses[`${Math.floor(status / 100)}XX`] ??
    responses.default;
  if (!declared) return [`status ${status} is not declared`];
  const content = declared.content as Record<string, unknown> | undefined;
  const hasSchema = !!content && Object.keys(content).length > 0;
  if (!text) return []; // empty bodies: "content: {}" responses and contract 7.2's empty 200
  if (!hasSchema)
    return [
      `status ${status} must have an empty body, got: ${text.slice(0, 200)}`,
    ];
  if (!contentType?.startsWith('application/json')) {
    return [`expected application/json, got ${contentType}`];
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [`response body is not JSON: ${text.slice(0, 200)}`];
  }
  const result = api.validateResponse(dropNulls(body), op, status);
  return result.valid
    ? []
    : (result.errors ?? []).map(e => `${e.instancePath} ${e.message}`);
}
