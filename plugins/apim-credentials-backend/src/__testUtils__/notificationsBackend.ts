/**
 * The plugin together with the real notifications backend (@backstage/plugin-notifications-backend)
 * in one test backend: notifications are sent through Backstage's notification service, stored by
 * the notifications backend and read back through its REST API as the recipient would. Recipients
 * are resolved by the notifications backend from the catalog (a component through its `ownedBy`
 * relation to a group, a group through `hasMember` to users), so the catalog holds the owner
 * groups and their users with the relations the catalog would compute.
 */
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
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import notificationsPlugin from '@backstage/plugin-notifications-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { apimCredentialsPlugin } from '../plugin';
import { component } from './harness';

/** A group and its members, with the relations the catalog computes both ways. */
function group(name: string, members: string[]): Entity[] {
  const ref = `group:default/${name}`;
  return [
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name, namespace: 'default' },
      spec: { type: 'team', children: [] },
      relations: members.map(m => ({ type: 'hasMember', targetRef: m })),
    },
    ...members.map(m => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: m.split('/')[1], namespace: 'default' },
      spec: { memberOf: [ref] },
      relations: [{ type: 'memberOf', targetRef: ref }],
    })),
  ];
}

/** A component owned by `owner` (a group ref), naming API-M application `app`. */
export function ownedComponent(
  name: string,
  owner: string,
  app: string,
): Entity {
  return {
    ...component(name, app, owner),
    relations: [{ type: 'ownedBy', targetRef: owner }],
  };
}

/**
 * The catalog of the governance tests: `owners` (a group) own `entityName`; `approvers` (a
 * group, the environments' `approval.notify`) decide; `outsiders` are users in no group (an
 * administrator acting on someone else's entity).
 */
export function governanceCatalog(options: {
  entityName: string;
  owners: string[];
  approvers: string[];
  outsiders: string[];
}): Entity[] {
  return [
    ownedComponent(
      options.entityName,
      'group:default/owners',
      options.entityName,
    ),
    ...group('owners', options.owners),
    ...group('platform-team', options.approvers),
    ...options.outsiders.map(u => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: u.split('/')[1], namespace: 'default' },
      spec: { memberOf: [] },
    })),
  ];
}

/** A notification as the notifications backend's REST API answers it. */
export interface StoredNotification {
  id: string;
  user: string | null;
  origin: string;
  payload: {
    title: string;
    description?: string;
    link?: string;
    severity?: string;
    topic?: string;
  };
}

export interface BackendWithNotifications {
  /** supertest against `/api/apim-credentials`, as `user`. */
  call(
    method: 'get' | 'put' | 'post' | 'delete',
    url: string,
    user: string,
    body?: unknown,
  ): Promise<request.Response>;
  /** The notifications `user` reads in the app: GET /api/notifications with their credentials. */
  notificationsOf(user: string): Promise<StoredNotification[]>;
  /** Runs the plugin's reconcile job (drift check, expiry of approval requests) now. */
  reconcile(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the plugin (on `knex`) and the notifications backend (on its own database) with
 * `entities` in the catalog; permissions allow everything.
 */
export async function startBackendWithNotifications(options: {
  knex: Knex;
  notificationsKnex: Knex;
  config: Record<string, unknown>;
  entities: Entity[];
}): Promise<BackendWithNotifications> {
  // The mock's factory makes its own instance; this one is the one triggered below.
  const scheduler = mockServices.scheduler() as ReturnType<
    typeof mockServices.scheduler
  > & {
    factory(o: {
      skipTaskRunOnStartup: boolean;
    }): ReturnType<typeof mockServices.scheduler.factory>;
  };
  const backend = await startTestBackend({
    features: [
      apimCredentialsPlugin,
      notificationsPlugin,
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          apimCredentials: options.config as JsonObject,
        },
      }),
      // Each plugin its own database, as in a deployment.
      createServiceFactory({
        service: coreServices.database,
        deps: { plugin: coreServices.pluginMetadata },
        factory: ({ plugin }) =>
          mockServices.database({
            knex:
              plugin.getId() === 'apim-credentials'
                ? options.knex
                : options.notificationsKnex,
          }),
      }),
      scheduler.factory({ skipTaskRunOnStartup: true }),
      mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      catalogServiceMock.factory({ entities: options.entities }),
    ],
  });
  const server = backend.server;
  const as = (user: string) => mockCredentials.user.header(user);
  return {
    async call(method, url, user, body) {
      const req = request(server)
        [method](`/api/apim-credentials${url}`)
        .set('authorization', as(user));
      return body === undefined ? req : req.send(body as object);
    },
    async notificationsOf(user) {
      const res = await request(server)
        .get('/api/notifications/notifications?limit=100')
        .set('authorization', as(user));
      if (res.status !== 200) {
        throw new Error(`GET /api/notifications: ${res.status} ${res.text}`);
      }
      return res.body.notifications;
    },
    reconcile: () => scheduler.triggerTask('apim-credentials-reconcile'),
    stop: () => backend.stop(),
  };
}
