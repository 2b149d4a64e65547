/**
 * A test backend with the REAL permission backend and demo policy module, the REAL catalog
 * (entities from a temporary YAML file location, so the policy's conditional IS_ENTITY_OWNER
 * decision is resolved by the catalog's own permission integration) and the plugin on the local
 * stack: for suites that prove what the policy lets each user do.
 *
 * Auth is the test backend's mock auth (mockCredentials tokens; plugin to plugin calls carry the
 * user as `onBehalfOf`) with two changes: the real httpAuth service (every plugin authenticates
 * requests through the auth service), and an on-behalf-of token that authenticates as the user
 * with the calling plugin as actor, as real auth does. The policy calls `userInfo.getUserInfo`,
 * which with mock auth knows nothing of catalog membership, so a userInfo service maps each test
 * user to the ownership refs the catalog's User/Group entities would give them. The catalog holds
 * the example organisation (ORG_ENTITIES) and what a suite adds.
 */
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { Knex } from 'knex';
import request from 'supertest';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { JsonObject } from '@backstage/types';
import demoPolicyModule from '@internal/backstage-plugin-permission-backend-module-apim-demo-policy';
import { LocalStack } from '@internal/local-stack';
import { apimCredentialsPlugin } from '../plugin';
import { apimConfig, startStack } from './harness';

/** The example organisation's users and the team each belongs to (dave: none). */
const TEAMS: Record<string, string | undefined> = {
  alice: 'team-orders',
  bob: 'team-payments',
  dave: undefined,
  pat: 'platform-team',
};

/** A catalog Component with its application annotation, owned by `team`, as YAML. */
export function componentYaml(name: string, app: string, team: string) {
  return `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${name}
  annotations: { wso2.com/apim-application: ${app} }
spec: { type: service, lifecycle: production, owner: group:default/${team} }`;
}

/**
 * The example organisation as catalog YAML: the teams (team-orders, team-payments,
 * platform-team), their users (alice, bob, pat; dave in no team) and orders-service and
 * payments-service, owned by team-orders and team-payments.
 */
export const ORG_ENTITIES = [
  ...['team-orders', 'team-payments', 'platform-team'].map(
    team => `apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: ${team} }
spec: { type: team, children: [] }`,
  ),
  ...Object.entries(TEAMS).map(
    ([user, team]) => `apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: ${user} }
spec: { memberOf: [${team ?? ''}] }`,
  ),
  componentYaml('orders-service', 'orders-service', 'team-orders'),
  componentYaml('payments-service', 'payments-service', 'team-payments'),
].join('\n---\n');

/** What the catalog's memberships give each user of ORG_ENTITIES: themselves and their team. */
const ORG_OWNERSHIP: Record<string, string[]> = Object.fromEntries(
  Object.entries(TEAMS).map(([user, team]) => [
    `user:default/${user}`,
    [`user:default/${user}`, ...(team ? [`group:default/${team}`] : [])],
  ]),
);

/** What the catalog's membership gives each user (mock auth has no sign-in resolver). */
function userInfoFactory(ownership: Record<string, string[]>) {
  return createServiceFactory({
    service: coreServices.userInfo,
    deps: {},
    factory: () => ({
      async getUserInfo(credentials: any) {
        if (credentials.principal.type !== 'user') {
          throw new Error('not a user');
        }
        const ref = credentials.principal.userEntityRef;
        return {
          userEntityRef: ref,
          ownershipEntityRefs: ownership[ref] ?? [ref],
        };
      },
    }),
  });
}

/**
 * The test backend's mock auth, except that a plugin's token on behalf of a user authenticates
 * as that user *with the calling plugin as actor*, as real Backstage auth does. Without it the
 * permission backend takes plugin-to-plugin calls (the catalog asking on behalf of the user) for
 * direct user requests and refuses conditional queries without a resourceRef.
 */
const authFactory = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }) {
    const inner = mockServices.auth({ pluginId: plugin.getId() });
    const prefix = 'mock-service-token:';
    return Object.assign(Object.create(Object.getPrototypeOf(inner)), inner, {
      async authenticate(token: string, options?: any) {
        if (token.startsWith(prefix)) {
          const { sub, obo } = JSON.parse(token.slice(prefix.length));
          if (obo) {
            await inner.authenticate(token, options); // checks the target plugin
            return mockCredentials.user(obo, {
              actor: { subject: sub ?? 'plugin:unknown' },
            } as any);
          }
        }
        return inner.authenticate(token, options);
      },
    });
  },
});

/** The apim-credentials plugin's database, and a new SQLite database for each other plugin. */
function databaseFactory(databases: TestDatabases, knex: Knex) {
  const perPlugin = new Map<string, Promise<Knex>>([
    ['apim-credentials', Promise.resolve(knex)],
  ]);
  return createServiceFactory({
    service: coreServices.database,
    deps: { plugin: coreServices.pluginMetadata },
    factory({ plugin }) {
      const id = plugin.getId();
      if (!perPlugin.has(id)) perPlugin.set(id, databases.init('SQLITE_3'));
      return {
        getClient: () => perPlugin.get(id)!,
        migrations: { skip: false },
      };
    },
  });
}

type Features = Parameters<typeof startTestBackend>[0]['features'];

export interface PolicyBackend {
  /** The local stack the plugin talks to. */
  stack: LocalStack & { logs: string[] };
  server: any;
  /** The apim-credentials plugin's database (SQLite). */
  knex: Knex;
  /** A client created in the stack's key manager for the suite (`clientName`). */
  client: { clientId: string; clientSecret: string };
  /** Stops the backend and the stack and removes the entities file. */
  stop(): Promise<void>;
}

/**
 * Starts the local stack (then `beforeStart` on it) and the backend, waits (up to 15 s) until
 * the catalog serves every entity of `waitFor` to `user`, and creates the client `clientName`
 * (client_credentials) in the stack's key manager.
 *
 * @throws when the catalog has not loaded them in time, naming the first one missing
 */
export async function startPolicyBackend(options: {
  databases: TestDatabases;
  /** Prepares the stack before the backend starts (e.g. a key manager setting). */
  beforeStart?: (stack: LocalStack) => Promise<unknown>;
  clientName: string;
  /** Catalog entities besides ORG_ENTITIES, as YAML documents. */
  moreEntitiesYaml?: string[];
  /** Entities the catalog must serve before the tests start, e.g. `component/default/x`. */
  waitFor: string[];
  /** Who reads the catalog while waiting, e.g. `user:default/alice`. */
  user: string;
  /** Root configuration besides `permission`, `catalog` and `apimCredentials`. */
  rootConfig?: JsonObject;
  /** Features besides the catalog, the permission backend, the policy and the plugin. */
  features?: Features;
}): Promise<PolicyBackend> {
  const stack = await startStack();
  await options.beforeStart?.(stack);
  const tmpDir = await fs.mkdtemp(path.join(os.tmpdir(), 'apim-policy-'));
  const entitiesFile = path.join(tmpDir, 'entities.yaml');
  await fs.writeFile(
    entitiesFile,
    [ORG_ENTITIES, ...(options.moreEntitiesYaml ?? [])].join('\n---\n'),
  );
  const knex = await options.databases.init('SQLITE_3');
  const backend = await startTestBackend({
    features: [
      mockServices.rootConfig.factory({
        data: {
          ...options.rootConfig,
          permission: { enabled: true },
          catalog: {
            rules: [{ allow: ['Component', 'Group', 'User', 'Location'] }],
            locations: [{ type: 'file', target: entitiesFile }],
            processingInterval: { seconds: 1 },
          },
          apimCredentials: apimConfig(stack) as JsonObject,
        },
      }),
      databaseFactory(options.databases, knex),
      authFactory,
      httpAuthServiceFactory,
      userInfoFactory(ORG_OWNERSHIP),
      catalogPlugin,
      permissionPlugin,
      demoPolicyModule,
      apimCredentialsPlugin,
      ...(options.features ?? []),
    ],
  });
  const server = backend.server;
  const deadline = Date.now() + 15_000;
  for (const entity of options.waitFor) {
    for (;;) {
      const res = await request(server)
        .get(`/api/catalog/entities/by-name/${entity}`)
        .set('authorization', mockCredentials.user.header(options.user));
      if (res.status === 200) break;
      if (Date.now() > deadline) {
        throw new Error(
          `the catalog did not load ${entity}: ${res.status} ${res.text}`,
        );
      }
      await new Promise(r => setTimeout(r, 500));
    }
  }
  const client = await stack.keyManager.createClient({
    name: options.clientName,
    grantTypes: ['client_credentials'],
  });
  return {
    stack,
    server,
    knex,
    client,
    async stop() {
      await backend.stop();
      await stack.stop();
      await fs.rm(tmpDir, { recursive: true, force: true });
    },
  };
}
