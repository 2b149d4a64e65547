/**
 * The real local stack (API-M emulator + key manager, child processes on random ports), the
 * plugin in a real Backstage backend reached over HTTP, and a direct devportal client for the
 * baselines. Mirrors plugins/apim-credentials-backend/src/__testUtils__/harness.ts without Jest.
 */
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import type { AddressInfo } from 'node:net';
import knexFactory, { Knex } from 'knex';
import { Agent, fetch } from 'undici';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { Entity } from '@backstage/catalog-model';
import type { HumanDuration, JsonObject } from '@backstage/types';
import { LocalStack, startLocalStack } from '@internal/local-stack';
import { apimCredentialsPlugin } from '../../plugins/apim-credentials-backend/src/plugin';
import { CallRecorder } from './calls';

export const PG_URL =
  process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';
export const SERVICE_ACCOUNT = {
  username: 'svc-backstage',
  password: 'svc-backstage',
};

export async function startStack(): Promise<LocalStack & { stateDir: string }> {
  const stateDir = await fs.mkdtemp(
    path.join(os.tmpdir(), 'apim-bench-stack-'),
  );
  const stack = await startLocalStack({
    stateDir,
    emulatorPort: 0,
    keyManagerPort: 0,
    persist: false,
  });
  return Object.assign(stack, { stateDir });
}

export function entity(name: string, app = name): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'wso2.com/apim-application': app },
    },
    spec: {
      type: 'service',
      owner: 'group:default/guests',
      lifecycle: 'production',
    },
  };
}

export function instanceConfig(stack: LocalStack, id: string) {
  return {
    id,
    baseUrl: stack.emulator.url,
    auth: SERVICE_ACCOUNT,
    tls: { ca: stack.tls.ca },
    timeout: { seconds: 15 },
  };
}

/** Plugin config with the product defaults for caching (key managers 30 s, applications 300 s). */
export function pluginConfig(
  stack: LocalStack,
  options: {
    instances?: string[];
    environments?: Array<{
      id: string;
      instance: string;
      keyType: 'SANDBOX' | 'PRODUCTION';
      keyManagers?: string[];
    }>;
    cache?: { keyManagers?: HumanDuration; applications?: HumanDuration };
  } = {},
): JsonObject {
  const instances = options.instances ?? ['local'];
  return {
    instances: instances.map(id => instanceConfig(stack, id)),
    environments: (
      options.environments ?? [
        {
          id: 'production',
          instance: instances[0],
          keyType: 'PRODUCTION',
          keyManagers: ['IS'],
        },
      ]
    ).map(e => ({
      title: e.id,
      // The stack's token endpoints are on localhost: listed, as an operator must (issue 10 item 4).
      tokenEndpoints: [stack.emulator.url, stack.keyManager.tokenEndpoint].map(
        u => new URL(u).origin,
      ),
      ...e,
    })),
    applications: { createIfMissing: true, throttlingPolicy: 'Unlimited' },
    verification: { required: false },
    // Benchmarks provision as one user far faster than a person: no attempt limits.
    rateLimits: {
      attemptsPerActor: 1_000_000,
      attemptsPerConsumerKey: 1_000_000,
      deniedAuditRowsPerHour: 1_000_000,
    },
    cache: {
      keyManagers: { seconds: 30 },
      applications: { minutes: 5 },
      ...options.cache,
    },
  } as unknown as JsonObject;
}

export type DbKind = 'sqlite' | 'postgres';

export interface BenchDb {
  kind: DbKind;
  knex: Knex;
  label: string;
  destroy(): Promise<void>;
}

/** A fresh database: SQLite in memory (Backstage's dev default) or a new PostgreSQL database. */
export async function freshDatabase(
  kind: DbKind,
  name: string,
  sqliteFile?: string,
): Promise<BenchDb> {
  if (kind === 'sqlite') {
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: sqliteFile ?? ':memory:' },
      useNullAsDefault: true,
    });
    return {
      kind,
      knex,
      label: sqliteFile ? 'SQLite (file)' : 'SQLite (in memory)',
      destroy: () => knex.destroy(),
    };
  }
  const dbName = `${name}_${process.pid}_${Date.now()}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  const admin = knexFactory({ client: 'pg', connection: `${PG_URL}/postgres` });
  await admin.raw(`CREATE DATABASE ${dbName}`);
  await admin.destroy();
  const knex = knexFactory({
    client: 'pg',
    connection: `${PG_URL}/${dbName}`,
    pool: { min: 0, max: 10 },
  });
  return {
    kind,
    knex,
    label: 'PostgreSQL',
    async destroy() {
      await knex.destroy();
      const drop = knexFactory({
        client: 'pg',
        connection: `${PG_URL}/postgres`,
      });
      await drop.raw(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await drop.destroy();
    },
  };
}

export interface PluginBackend {
  /** e.g. http://127.0.0.1:41234/api/apim-credentials */
  baseUrl: string;
  request(
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ status: number; text: string }>;
  /** The plugin's database statements and its catalog and permission calls (bench/lib/calls.ts). */
  calls: CallRecorder;
  stop(): Promise<void>;
}

/**
 * Statements a provisioning starts but does not wait for: the cell lock's release after the
 * mapping is recorded (ProvisioningService.provision) and the owners' notification's read.
 */
const OFF_PATH = [
  /^delete from [`"]?apim_credentials_locks/i,
  // The owners' notification reads the completed row after the answer (service/AuditTrail.ts).
  /^select [`"]?apim_credentials_audit[`"]?\.\*.* from [`"]?apim_credentials_audit[`"]? where [`"]?id[`"]? = /i,
];

/**
 * The plugin in a real Backstage backend (HTTP server on a random port), called over HTTP. The
 * catalog and the permission framework are Backstage's mocks, wrapped to count the calls (each
 * an HTTP call to another plugin in a real deployment); every statement on `knex` is recorded.
 */
export async function startPluginBackend(options: {
  config: JsonObject;
  knex: Knex;
  entities: Entity[];
}): Promise<PluginBackend> {
  const calls = new CallRecorder(OFF_PATH).attachKnex(options.knex);
  const backend = await startTestBackend({
    features: [
      apimCredentialsPlugin,
      mockServices.rootConfig.factory({
        data: { apimCredentials: options.config },
      }),
      mockServices.database.factory({ knex: options.knex }),
      createServiceFactory({
        service: coreServices.permissions,
        deps: {},
        factory: () =>
          calls.wrap(
            'permissions',
            mockServices.permissions({ result: AuthorizeResult.ALLOW }),
          ),
      }),
      mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      createServiceFactory({
        service: catalogServiceRef,
        deps: {},
        factory: () =>
          calls.wrap(
            'catalog',
            catalogServiceMock({ entities: options.entities }),
          ),
      }),
    ],
  });
  const server = backend.server as unknown as import('node:http').Server;
  if (!server.listening) {
    await new Promise<void>(resolve =>
      server.listen(0, '127.0.0.1', () => resolve()),
    );
  }
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}/api/apim-credentials`;
  const agent = new Agent({ connections: 128 });
  return {
    baseUrl,
    async request(method, url, body) {
      const res = await fetch(`${baseUrl}${url}`, {
        method,
        dispatcher: agent,
        headers:
          body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, text: await res.text() };
    },
    calls,
    async stop() {
      await agent.close();
      await backend.stop();
    },
  };
}

/**
 * Binds applications created outside Backstage to their entities (POST /bindings, as the
 * platform team does, issue 10 item 1): without a binding the plugin refuses to act on them.
 */
export async function bindApplications(
  backend: PluginBackend,
  instance: string,
  bindings: Array<{ applicationName: string; entityName: string }>,
): Promise<void> {
  for (const b of bindings) {
    const res = await backend.request('POST', '/bindings', {
      instance,
      applicationName: b.applicationName,
      entityRef: `component:default/${b.entityName}`,
    });
    if (res.status >= 300)
      throw new Error(
        `binding ${b.applicationName}: ${res.status} ${res.text}`,
      );
  }
}

/**
 * Calls API-M's devportal directly, as a script would without Backstage: undici (the plugin's
 * HTTP library), the stack's CA, one token obtained up front (DCR + password grant).
 */
export class DirectApim {
  private readonly agent: Agent;
  private token = '';

  constructor(private readonly baseUrl: string, ca: string) {
    this.agent = new Agent({ connect: { ca }, connections: 32 });
  }

  async init(): Promise<this> {
    const basicAuth = (u: string, p: string) =>
      `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    const dcr = await this.raw('POST', '/client-registration/v0.17/register', {
      headers: {
        authorization: basicAuth(
          SERVICE_ACCOUNT.username,
          SERVICE_ACCOUNT.password,
        ),
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        clientName: 'bench_direct',
        owner: SERVICE_ACCOUNT.username,
        grantType: 'password refresh_token',
        saasApp: true,
        callbackUrl: '',
      }),
    });
    const client = JSON.parse(dcr.text) as {
      clientId: string;
      clientSecret: string;
    };
    const token = await this.raw('POST', '/oauth2/token', {
      headers: {
        authorization: basicAuth(client.clientId, client.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'password',
        ...SERVICE_ACCOUNT,
        scope: 'apim:subscribe apim:app_manage apim:sub_manage',
      }).toString(),
    });
    this.token = (
      JSON.parse(token.text) as { access_token: string }
    ).access_token;
    if (!this.token) throw new Error(`no token: ${token.status} ${token.text}`);
    return this;
  }

  private async raw(
    method: string,
    path: string,
    init: { headers: Record<string, string>; body?: string },
  ) {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { accept: 'application/json', ...init.headers },
      body: init.body,
      dispatcher: this.agent,
    });
    const text = await res.text();
    if (res.status >= 300)
      throw new Error(
        `${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`,
      );
    return { status: res.status, text };
  }

  devportal(method: string, path: string, body?: unknown) {
    return this.raw(method, `/api/am/devportal/v3${path}`, {
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async createApplication(name: string): Promise<string> {
    const res = await this.devportal('POST', '/applications', {
      name,
      throttlingPolicy: 'Unlimited',
      description: 'bench',
      tokenType: 'JWT',
    });
    return (JSON.parse(res.text) as { applicationId: string }).applicationId;
  }

  mapKeys(
    applicationId: string,
    body: {
      consumerKey: string;
      consumerSecret: string;
      keyManager: string;
      keyType: string;
    },
  ) {
    return this.devportal(
      'POST',
      `/applications/${encodeURIComponent(applicationId)}/map-keys`,
      body,
    );
  }

  close() {
    return this.agent.close();
  }
}

/** OAuth2 clients created "out of band" in the key manager, as an organisation would. */
export async function createClients(
  stack: LocalStack,
  prefix: string,
  count: number,
) {
  const clients: Array<{ clientId: string; clientSecret: string }> = [];
  for (let i = 0; i < count; i++) {
    const c = await stack.keyManager.client.createClient({
      name: `${prefix}-${i}`,
      grantTypes: ['client_credentials'],
    });
    clients.push({ clientId: c.clientId, clientSecret: c.clientSecret });
  }
  return clients;
}
