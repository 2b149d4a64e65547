/**
 * The end-to-end setup of the scaffolder integration tests (tests/*.integration.test.ts): a test
 * backend with the scaffolder, this module, the apim-credentials backend plugin, the catalog,
 * real auth (the guest provider issues the user's token, plugins verify each other's tokens) and
 * the local stack (API-M emulator + key manager). Every plugin has its own SQLite database, kept
 * so that a test can scan every table of every plugin for a secret.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BackendFeature,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  TestDatabases,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { userInfoServiceFactory } from '@backstage/backend-defaults/userInfo';
import type { AuditRecord } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { startLocalStack, LocalStack } from '@internal/local-stack';
import authPlugin from '@backstage/plugin-auth-backend';
import guestProviderModule from '@backstage/plugin-auth-backend-module-guest-provider';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogScaffolderEntityModelModule from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import scaffolderGithubModule from '@backstage/plugin-scaffolder-backend-module-github';
// Test only (a devDependency): the real backend plugin, so the actions are proven against it.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import apimCredentialsPlugin from '@apim-credentials/backstage-plugin-apim-credentials-backend';
import scaffolderModuleApimCredentials from '../index';
import type { TaskEvent } from './taskForms';
import { waitFor } from './taskForms';

export { clientsForm, readDirectory, waitFor } from './taskForms';
export type { TaskEvent } from './taskForms';

const REPO_ROOT = path.resolve(__dirname, '../../../..');
export const TEMPLATE_FILE = path.join(
  REPO_ROOT,
  'examples/templates/provide-existing-client/template.yaml',
);
export const TEMPLATE_REF = 'template:default/apim-provide-existing-client';
export const REMOVE_TEMPLATE_FILE = path.join(
  REPO_ROOT,
  'examples/templates/remove-client-mapping/template.yaml',
);
export const REMOVE_TEMPLATE_REF =
  'template:default/apim-remove-client-mapping';
export const NEW_SERVICE_DIR = path.join(
  REPO_ROOT,
  'examples/templates/new-service-with-client',
);
export const ENTITY_REF = 'component:default/orders-service';
export const GUEST = 'user:default/guest';

const ENTITIES = `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: guests }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: guest }
spec: { memberOf: [guests] }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: orders-service
  annotations:
    wso2.com/apim-application: orders-service
spec: { type: service, lifecycle: production, owner: group:default/guests }
`;

/** A finished task: its record, its events and its log (the events' messages). */
export interface FinishedTask {
  taskId: string;
  task: any;
  events: TaskEvent[];
  log: string;
}

type KeyMappings = Awaited<
  ReturnType<LocalStack['emulator']['control']['state']>
>['keyMappings'];

export interface ScaffolderBackend {
  stack: LocalStack;
  /** The guest's token (GUEST), as the app holds it after sign-in. */
  userToken: string;
  /** fetch against the backend, as the guest unless `token` says otherwise. */
  api(pathname: string, init?: RequestInit, token?: string): Promise<Response>;
  /** Signs in with auth provider `providerId` and returns the user's Backstage token. */
  signIn(providerId: string): Promise<string>;
  /** Creates a task (POST /api/scaffolder/v2/tasks) and waits for it to finish. */
  runTask(body: {
    templateRef: string;
    values: Record<string, unknown>;
    secrets?: Record<string, string>;
  }): Promise<FinishedTask>;
  /** Runs a finished task again (POST .../retry, its checkpoints kept) and waits for it. */
  retryTask(
    taskId: string,
    secrets: Record<string, string>,
  ): Promise<FinishedTask>;
  /** ENTITY_REF's audit rows (at most 100) as the guest reads them through the REST API. */
  auditRows(): Promise<AuditRecord[]>;
  /** The key mappings API-M (the emulator) holds for client `consumerKey`. */
  keyMappingsOf(consumerKey: string): Promise<KeyMappings>;
  /** Every row of every table of every plugin's database, as text (buffers as UTF-8). */
  dumpDatabases(): Promise<string>;
  stop(): Promise<void>;
}

/** The engines of the plugins' databases: SQLite, one in-memory database per plugin. */
export function scaffolderDatabases(): TestDatabases {
  return TestDatabases.create({ ids: ['SQLITE_3'] });
}

/**
 * Starts the stack and the backend. `catalogYaml` documents are added to the catalog (templates
 * and entities of a test); `entityPaths` (`kind/namespace/name`) are waited for besides the
 * standard templates and component; `configure` may change the `apimCredentials` config;
 * `features` are added to the backend.
 */
export async function startScaffolderBackend(options: {
  /** `scaffolderDatabases()`, created when the test file loads (it registers jest hooks). */
  databases: TestDatabases;
  catalogYaml?: string[];
  entityPaths?: string[];
  configure?: (apimCredentials: any) => void;
  auth?: Record<string, unknown>;
  features?: BackendFeature[];
}): Promise<ScaffolderBackend> {
  const tmpDir = await fs.mkdtemp(
    path.join(os.tmpdir(), 'apim-scaffolder-it-'),
  );
  const stack = await startLocalStack({
    stateDir: path.join(tmpDir, 'stack'),
    emulatorPort: 0,
    keyManagerPort: 0,
  });
  const entitiesFile = path.join(tmpDir, 'entities.yaml');
  await fs.writeFile(
    entitiesFile,
    [ENTITIES, ...(options.catalogYaml ?? [])].join('\n---\n'),
  );
  await fs.mkdir(path.join(tmpDir, 'work'));
  const tokenEndpoints = [stack.emulator.url, stack.keyManager.tokenEndpoint];
  const apimCredentials = {
    instances: [
      {
        id: 'local',
        baseUrl: stack.emulator.url,
        auth: { username: 'svc-backstage', password: 'svc-backstage' },
        tls: { ca: stack.tls.ca },
        timeout: { seconds: 15 },
      },
    ],
    environments: [
      {
        id: 'sandbox',
        title: 'Sandbox',
        instance: 'local',
        keyType: 'SANDBOX',
        // The stack's token endpoints are on localhost: listed, as an operator must.
        tokenEndpoints: tokenEndpoints.map(u => new URL(u).origin),
      },
      {
        id: 'production',
        title: 'Production',
        instance: 'local',
        keyType: 'PRODUCTION',
        keyManagers: ['IS'],
        tokenEndpoints: [new URL(stack.keyManager.tokenEndpoint).origin],
      },
    ],
    applications: { createIfMissing: true, throttlingPolicy: 'Unlimited' },
  };
  options.configure?.(apimCredentials);

  const { databases } = options;
  const clients = new Map<string, Awaited<ReturnType<TestDatabases['init']>>>();
  const backend = await startTestBackend({
    features: [
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          backend: { workingDirectory: path.join(tmpDir, 'work') },
          auth: {
            environment: 'development',
            providers: {
              guest: {
                userEntityRef: GUEST,
                dangerouslyAllowOutsideDevelopment: true,
              },
              ...options.auth,
            },
          },
          catalog: {
            rules: [
              { allow: ['Component', 'Group', 'User', 'Template', 'Location'] },
            ],
            locations: [
              { type: 'file', target: entitiesFile },
              { type: 'file', target: TEMPLATE_FILE },
              { type: 'file', target: REMOVE_TEMPLATE_FILE },
            ],
            processingInterval: { seconds: 1 },
          },
          apimCredentials,
        },
      }),
      // Each plugin its own database, kept for the secret scan.
      createServiceFactory({
        service: coreServices.database,
        deps: { plugin: coreServices.pluginMetadata },
        async factory({ plugin }) {
          const knex = await databases.init('SQLITE_3');
          clients.set(plugin.getId(), knex);
          return mockServices.database({ knex });
        },
      }),
      // Real auth: the scaffolder obtains a plugin token on behalf of the user, and the
      // apim-credentials backend sees the user with the scaffolder as actor.
      authServiceFactory,
      httpAuthServiceFactory,
      userInfoServiceFactory,
      authPlugin,
      guestProviderModule,
      catalogPlugin,
      catalogScaffolderEntityModelModule,
      scaffolderPlugin,
      scaffolderGithubModule,
      apimCredentialsPlugin,
      scaffolderModuleApimCredentials,
      ...(options.features ?? []),
    ],
  });
  const baseUrl = `http://localhost:${backend.server.port()}`;

  async function signIn(providerId: string): Promise<string> {
    const res = await fetch(
      `${baseUrl}/api/auth/${providerId}/refresh?env=development`,
      { headers: { 'x-requested-with': 'XMLHttpRequest' } },
    );
    if (res.status !== 200) {
      throw new Error(
        `${providerId} sign-in failed: HTTP ${res.status} ${await res.text()}`,
      );
    }
    return (await res.json()).backstageIdentity.token;
  }
  const userToken = await signIn('guest');

  const api = (pathname: string, init: RequestInit = {}, token = userToken) =>
    fetch(`${baseUrl}${pathname}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(init.headers as Record<string, string>),
      },
    });

  async function finished(taskId: string): Promise<FinishedTask> {
    let task: any;
    await waitFor(async () => {
      task = await (await api(`/api/scaffolder/v2/tasks/${taskId}`)).json();
      return ['completed', 'failed', 'cancelled'].includes(task.status);
    }, 120_000);
    const events: TaskEvent[] = await (
      await api(`/api/scaffolder/v2/tasks/${taskId}/events`)
    ).json();
    const log = events
      .map(e => e.body.message)
      .filter(Boolean)
      .join('\n');
    return { taskId, task, events, log };
  }

  // The catalog has processed the templates and the component.
  const paths = [
    'template/default/apim-provide-existing-client',
    'template/default/apim-remove-client-mapping',
    'component/default/orders-service',
    ...(options.entityPaths ?? []),
  ];
  await waitFor(async () => {
    const responses = await Promise.all(
      paths.map(p => api(`/api/catalog/entities/by-name/${p}`)),
    );
    return responses.every(r => r.status === 200);
  }, 60_000);

  return {
    stack,
    userToken,
    api,
    signIn,
    async runTask(body) {
      const created = await api('/api/scaffolder/v2/tasks', {
        method: 'POST',
        body: JSON.stringify(body),
      });
      const createdBody = await created.json();
      if (created.status !== 201) {
        throw new Error(
          `POST /v2/tasks: HTTP ${created.status} ${JSON.stringify(
            createdBody,
          )}`,
        );
      }
      return finished(createdBody.id);
    },
    async retryTask(taskId, secrets) {
      // The earlier run's status is replaced once the retry is taken up.
      const retried = await api(`/api/scaffolder/v2/tasks/${taskId}/retry`, {
        method: 'POST',
        body: JSON.stringify({ secrets }),
      });
      if (retried.status !== 201) {
        throw new Error(
          `POST /v2/tasks/${taskId}/retry: HTTP ${
            retried.status
          } ${await retried.text()}`,
        );
      }
      return finished(taskId);
    },
    async auditRows() {
      const res = await api(
        `/api/apim-credentials/audit?entityRef=${encodeURIComponent(
          ENTITY_REF,
        )}&limit=100`,
      );
      expect(res.status).toBe(200);
      return (await res.json()).items;
    },
    async keyMappingsOf(consumerKey) {
      const state = await stack.emulator.control.state();
      return state.keyMappings.filter(m => m.consumerKey === consumerKey);
    },
    async dumpDatabases() {
      const dump: Record<string, unknown> = {};
      for (const [pluginId, knex] of clients) {
        const tables: Array<{ name: string }> = await knex
          .select('name')
          .from('sqlite_master')
          .where('type', 'table');
        for (const { name } of tables) {
          dump[`${pluginId}.${name}`] = await knex(name).select();
        }
      }
      return JSON.stringify(dump, (_k, v) =>
        v && v.type === 'Buffer' && Array.isArray(v.data)
          ? Buffer.from(v.data).toString('utf8')
          : v,
      );
    },
    async stop() {
      await backend.stop();
      await stack.stop();
      await fs.rm(tmpDir, { recursive: true, force: true });
    },
  };
}
