/**
 * Test harness: the real local stack (API-M emulator + key manager as child processes, over
 * HTTPS with their CA) and the plugin in a real Backstage test backend. Records every log line
 * and response body so tests can prove no secret leaked.
 */
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { Knex } from 'knex';
import request from 'supertest';
import {
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import {
  LocalStack,
  LocalStackOptions,
  startLocalStack,
} from '@internal/local-stack';
import { apimCredentialsPlugin } from '../plugin';

export const entities: Entity[] = [
  component('orders-service', 'orders-service'),
  component('payments-service', 'payments-service'),
  component('web-portal', 'web-portal'),
  component('legacy-batch'),
  ...Array.from({ length: 12 }, (_, i) => component(`svc-${i}`, `svc-${i}`)),
];

/** A component naming API-M application `app` (none when absent), owned by `owner`. */
export function component(
  name: string,
  app?: string,
  owner = 'group:default/guests',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: app ? { 'wso2.com/apim-application': app } : {},
    },
    spec: { type: 'service', owner, lifecycle: 'production' },
  };
}

/** `apimVersion` picks the emulator's release profile (default: env APIM_EMULATOR_VERSION, else 4.6). */
export async function startStack(
  options: Pick<LocalStackOptions, 'apimVersion'> = {},
): Promise<LocalStack & { logs: string[] }> {
  const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'apim-stack-'));
  const logs: string[] = [];
  const stack = await startLocalStack({
    stateDir,
    emulatorPort: 0,
    keyManagerPort: 0,
    apimVersion: options.apimVersion,
    onLog: (source, line) => logs.push(`${source}: ${line}`),
  });
  return Object.assign(stack, { logs });
}

/**
 * The local stack's token endpoints are on localhost, which the plugin refuses unless configured
 * (issue 10 item 4): the emulator (resident key manager) and the key manager, by origin.
 */
export function stackTokenEndpoints(stack: LocalStack): string[] {
  return [stack.emulator.url, stack.keyManager.tokenEndpoint].map(
    u => new URL(u).origin,
  );
}

/** Rate limits high enough for suites that provision many times as one user. */
export const UNLIMITED_RATES = {
  attemptsPerActor: 1_000_000,
  attemptsPerConsumerKey: 1_000_000,
  deniedAuditRowsPerHour: 1_000_000,
};

export function apimConfig(
  stack: LocalStack,
  overrides: Record<string, unknown> = {},
) {
  const tokenEndpoints = stackTokenEndpoints(stack);
  return {
    instances: [
      {
        id: 'local',
        baseUrl: stack.emulator.url,
        auth: { username: 'svc-backstage', password: 'svc-backstage' },
        tls: { ca: stack.tls.ca },
        timeout: { seconds: 3 },
      },
    ],
    environments: [
      {
        id: 'sandbox',
        title: 'Sandbox',
        instance: 'local',
        keyType: 'SANDBOX',
        tokenEndpoints,
      },
      {
        id: 'production',
        title: 'Production',
        instance: 'local',
        keyType: 'PRODUCTION',
        keyManagers: ['IS'],
        tokenEndpoints,
      },
    ],
    applications: { createIfMissing: true, throttlingPolicy: 'Unlimited' },
    verification: { required: false },
    rateLimits: UNLIMITED_RATES,
    // Tests switch key managers on and off in the emulator and expect to see it at once.
    cache: { keyManagers: { seconds: 0 } },
    ...overrides,
  };
}

/**
 * apimConfig(stack) in which production requires approval, a request expiring after two days;
 * `approval` adds to that (`notify`, ...).
 */
export function approvalApimConfig(
  stack: LocalStack,
  approval: Record<string, unknown> = {},
) {
  const config = apimConfig(stack) as any;
  config.environments[1].approval = {
    required: true,
    expiresAfter: { days: 2 },
    ...approval,
  };
  return config;
}

/**
 * `apimCredentials` for suites that never reach API-M: one instance at an address nothing
 * answers (127.0.0.1:9, 2 s timeout) and one sandbox environment; `overrides` replace keys.
 */
export function offlineApimConfig(overrides: Record<string, unknown> = {}) {
  return {
    instances: [
      {
        id: 'local',
        baseUrl: 'https://127.0.0.1:9',
        auth: { username: 'svc', password: 'svc' },
        timeout: { seconds: 2 },
      },
    ],
    environments: [
      {
        id: 'sandbox',
        title: 'Sandbox',
        instance: 'local',
        keyType: 'SANDBOX',
      },
    ],
    applications: { createIfMissing: true, throttlingPolicy: 'Unlimited' },
    verification: { required: false },
    ...overrides,
  };
}

function capturingLogger(lines: string[]): any {
  const log = (level: string) => (message: string, meta?: unknown) => {
    let extra = '';
    try {
      extra =
        meta === undefined
          ? ''
          : ` ${JSON.stringify(meta, (_k, v) =>
              v instanceof Error
                ? {
                    message: v.message,
                    stack: v.stack,
                    cause: String((v as any).cause),
                  }
                : v,
            )}`;
    } catch {
      extra = ` ${String(meta)}`;
    }
    lines.push(`${level} ${message}${extra}`);
  };
  return {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: () => capturingLogger(lines),
  };
}

export interface Backend {
  server: any;
  logs: string[];
  bodies: string[];
  stop(): Promise<void>;
  /** supertest with the body recorded for the secret scan. */
  call(
    method: 'get' | 'put' | 'post' | 'delete',
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<request.Response>;
  /** `call`, answering only the response's status. */
  status(...args: Parameters<Backend['call']>): Promise<number>;
}

export async function startBackend(options: {
  stack: LocalStack;
  knex: Knex;
  config?: Record<string, unknown>;
  permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
  logs?: string[];
  /** The catalog's entities; the standard set when absent. */
  entities?: Entity[];
  /** More root configuration besides `apimCredentials` (e.g. `permission`). */
  rootConfig?: JsonObject;
}): Promise<Backend> {
  const logs = options.logs ?? [];
  const bodies: string[] = [];
  const backend = await startTestBackend({
    features: [
      apimCredentialsPlugin,
      mockServices.rootConfig.factory({
        data: {
          ...options.rootConfig,
          apimCredentials: (options.config ??
            apimConfig(options.stack)) as JsonObject,
        },
      }),
      mockServices.database.factory({ knex: options.knex }),
      mockServices.rootLogger.mock(capturingLogger(logs)).factory,
      mockServices.permissions.factory({
        result: options.permission ?? AuthorizeResult.ALLOW,
      }),
      catalogServiceMock.factory({ entities: options.entities ?? entities }),
    ],
  });
  const server = backend.server;
  const call: Backend['call'] = async (method, url, body, headers) => {
    let req = request(server)[method](`/api/apim-credentials${url}`);
    for (const [k, v] of Object.entries(headers ?? {})) req = req.set(k, v);
    const res = body === undefined ? await req : await req.send(body as object);
    bodies.push(res.text ?? '');
    return res;
  };
  return {
    server,
    logs,
    bodies,
    stop: () => backend.stop(),
    call,
    status: async (...args) => (await call(...args)).status,
  };
}

/** The body of a provisioning PUT (or /verify) with a key manager's client and its secret. */
export function credentialsOf(client: {
  clientId: string;
  clientSecret: string;
}): { consumerKey: string; consumerSecret: string } {
  return { consumerKey: client.clientId, consumerSecret: client.clientSecret };
}

/** A suite's local stack, its database and the backend on them (see useStackBackend). */
export interface StackBackend {
  stack: LocalStack & { logs: string[] };
  knex: Knex;
  backend: Backend;
}

/**
 * The usual set-up of a suite against the local stack, as hooks of the enclosing block: before
 * its tests, the stack, a database (`databaseId`, default SQLite) and a backend on them
 * (`startBackend`, with `config` built from the stack when given); after them, both stopped.
 * The returned object is filled in before the block's tests run.
 */
export function useStackBackend(options: {
  databases: TestDatabases;
  databaseId?: TestDatabaseId;
  config?: (stack: LocalStack) => Record<string, unknown>;
  permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
  entities?: Entity[];
  /** The start-up hook's timeout (default: the file's). */
  timeoutMs?: number;
}): StackBackend {
  const env = {} as StackBackend;
  beforeAll(async () => {
    env.stack = await startStack();
    env.knex = await options.databases.init(options.databaseId ?? 'SQLITE_3');
    env.backend = await startBackend({
      stack: env.stack,
      knex: env.knex,
      config: options.config?.(env.stack),
      permission: options.permission,
      entities: options.entities,
    });
  }, options.timeoutMs);
  afterAll(async () => {
    await env.backend?.stop();
    await env.stack?.stop();
  });
  return env;
}

/** Every row of every table of the plugin, as text, for the secret scan. */
export async function dumpDatabase(knex: Knex): Promise<string> {
  const tables = [
    'apim_credentials_audit',
    'apim_credentials_mappings',
    'apim_credentials_locks',
    'apim_credentials_approval_requests',
  ];
  const rows = await Promise.all(tables.map(t => knex(t).select()));
  return JSON.stringify(rows);
}
