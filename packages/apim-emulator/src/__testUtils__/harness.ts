/**
 * Test stack: the real key manager (@internal/key-manager, own process), the emulator in-process,
 * and an HTTPS client trusting the local CA that validates every devportal call against
 * spec/devportal-api.yaml.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type OpenAPIBackend from 'openapi-backend';
import { loadOrCreateLocalTls, type LocalTls } from '@internal/local-tls';
import { spawnKeyManager, type RunningKeyManager } from '@internal/key-manager';
import { createApimEmulator, type ApimEmulator } from '../server';
import { basicAuth, httpRequest } from '../https-client';
import type { ApimEmulatorOptions } from '../types';
import {
  API_ROOT,
  findOperation,
  loadDevportalSpec,
  validateRequest,
  validateResponse,
} from './openapi';

export interface CallOptions {
  token?: string;
  /** JSON body (serialised) ... */
  body?: unknown;
  /** ... or a raw body string. */
  rawBody?: string;
  headers?: Record<string, string>;
  /** The request deliberately breaks the spec: assert that the validator rejects it. */
  invalidRequest?: boolean;
  signal?: AbortSignal;
}

export interface CallResult<T = any> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: T;
}

/** HTTPS client that validates every devportal request and response against the spec. */
export class DevportalClient {
  /** Every validated call, so a suite can assert that validation really happened. */
  readonly validated: string[] = [];

  constructor(
    readonly baseUrl: string,
    private readonly ca: string,
    private readonly spec: OpenAPIBackend,
  ) {}

  async call<T = any>(
    method: string,
    pathAndQuery: string,
    options: CallOptions = {},
  ): Promise<CallResult<T>> {
    const url = `${API_ROOT}${pathAndQuery}`;
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(options.headers ?? {}),
    };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let bodyText: string | undefined;
    if (options.rawBody !== undefined) bodyText = options.rawBody;
    else if (options.body !== undefined)
      bodyText = JSON.stringify(options.body);
    if (bodyText !== undefined) headers['content-type'] ??= 'application/json';

    const requestErrors = validateRequest(this.spec, {
      method,
      url,
      headers,
      body:
        options.body ??
        (options.rawBody !== undefined ? safeJson(options.rawBody) : undefined),
    });
    if (options.invalidRequest) {
      if (!requestErrors.length) {
        throw new Error(
          `Expected ${method} ${url} to violate the spec, but it is valid`,
        );
      }
    } else if (requestErrors.length) {
      throw new Error(
        `Request ${method} ${url} violates devportal-api.yaml:\n${requestErrors.join(
          '\n',
        )}`,
      );
    }

    const res = await httpRequest({
      url: `${this.baseUrl}${url}`,
      method,
      headers,
      body: bodyText,
      ca: this.ca,
      signal: options.signal,
    });
    const op = findOperation(this.spec, method, url);
    const responseErrors = validateResponse(
      this.spec,
      op,
      res.status,
      res.headers['content-type'] as string | undefined,
      res.text,
    );
    if (responseErrors.length) {
      throw new Error(
        `Response ${
          res.status
        } of ${method} ${url} violates devportal-api.yaml:\n${responseErrors.join(
          '\n',
        )}\nbody: ${res.text.slice(0, 500)}`,
      );
    }
    this.validated.push(`${method} ${op.operationId} ${res.status}`);
    return {
      status: res.status,
      headers: res.headers,
      text: res.text,
      body: safeJson(res.text) as T,
    };
  }
}

function safeJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Plain HTTPS call (non-devportal endpoints: DCR, token, gateway). */
export async function rawCall(
  baseUrl: string,
  ca: string | undefined,
  method: string,
  p: string,
  options: {
    headers?: Record<string, string>;
    body?: string;
    signal?: AbortSignal;
  } = {},
) {
  const res = await httpRequest({
    url: `${baseUrl}${p}`,
    method,
    headers: options.headers,
    body: options.body,
    ca,
    signal: options.signal,
  });
  return { ...res, body: safeJson(res.text) as any };
}

export interface Stack {
  tls: LocalTls;
  tlsDir: string;
  km: RunningKeyManager;
  emulator: ApimEmulator;
  api: DevportalClient;
  /** DCR + password grant as `username` (password = username by default). */
  restToken(
    username: string,
    scope?: string,
    password?: string,
  ): Promise<string>;
  /** Plain HTTPS call to the emulator. */
  raw: (
    method: string,
    p: string,
    options?: {
      headers?: Record<string, string>;
      body?: string;
      signal?: AbortSignal;
    },
  ) => ReturnType<typeof rawCall>;
  restartEmulator(options?: Partial<ApimEmulatorOptions>): Promise<void>;
  stop(): Promise<void>;
}

export const ALL_SCOPES = 'apim:subscribe apim:app_manage apim:sub_manage';

export async function startStack(
  options: Partial<ApimEmulatorOptions> = {},
): Promise<Stack> {
  const tlsDir = await mkdtemp(path.join(os.tmpdir(), 'apim-emulator-test-'));
  const tls = await loadOrCreateLocalTls(tlsDir);
  const spec = await loadDevportalSpec();
  const km = await spawnKeyManager({ port: 0, tlsDir });
  const make = (o: Partial<ApimEmulatorOptions>) =>
    createApimEmulator({
      port: 0,
      tls,
      keyManager: { baseUrl: km.baseUrl, ca: tls.ca, admin: km.admin },
      ...o,
    });
  let emulator: ApimEmulator;
  try {
    emulator = await make(options);
  } catch (e) {
    await km.stop();
    throw e;
  }
  const stack: Stack = {
    tls,
    tlsDir,
    km,
    emulator,
    api: new DevportalClient(emulator.url, tls.ca, spec),
    async restToken(username, scope = ALL_SCOPES, password = username) {
      const dcr = await stack.raw(
        'POST',
        '/client-registration/v0.17/register',
        {
          headers: {
            authorization: basicAuth(username, password),
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            clientName: `rest_${username}`,
            owner: username,
            grantType: 'client_credentials password refresh_token',
            saasApp: true,
            callbackUrl: '',
            tokenType: 'JWT',
          }),
        },
      );
      if (dcr.status !== 200)
        throw new Error(`DCR failed: ${dcr.status} ${dcr.text}`);
      const tok = await stack.raw('POST', '/oauth2/token', {
        headers: {
          authorization: basicAuth(dcr.body.clientId, dcr.body.clientSecret),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          grant_type: 'password',
          username,
          password,
          scope,
        }).toString(),
      });
      if (tok.status !== 200)
        throw new Error(`token failed: ${tok.status} ${tok.text}`);
      return tok.body.access_token;
    },
    raw: (method, p, o) => rawCall(stack.emulator.url, tls.ca, method, p, o),
    async restartEmulator(o = {}) {
      await stack.emulator.stop();
      stack.emulator = await make({
        ...options,
        ...o,
        port: stack.emulator.port,
      });
      stack.api = new DevportalClient(stack.emulator.url, tls.ca, spec);
    },
    async stop() {
      await stack.emulator.stop().catch(() => undefined);
      await km.stop().catch(() => undefined);
      await rm(tlsDir, { recursive: true, force: true });
    },
  };
  return stack;
}
