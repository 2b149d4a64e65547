/**
 * Actions for AI agents (issue 14 item 3), listed and invoked through Backstage's REAL actions
 * service (HTTP to the plugin's /.backstage/actions routes, on behalf of the user) with the REAL
 * actions registry, the demo permission policy in the permission backend, the real catalog and
 * the local stack. Proves: the actions are listed with their attributes, none accepts a secret,
 * an owner may and a non-owner may not (denials audited with source `action`), platform-only
 * lookups are platform-only, and `plan-provision` links to the pre-filled dialog.
 */
import { Knex } from 'knex';
import request from 'supertest';
import {
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  actionsServiceRef,
  ActionsService,
} from '@backstage/backend-plugin-api/alpha';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  actionsRegistryServiceFactory,
  actionsServiceFactory,
} from '@backstage/backend-defaults/alpha';
import { startPolicyBackend } from '../__testUtils__/policyBackend';
import {
  NotificationSendOptions,
  notificationService,
} from '@backstage/plugin-notifications-node';

/** What the plugin sends through Backstage's notification service (issue 14 item 2). */
const sent: NotificationSendOptions[] = [];
const notificationsFactory = createServiceFactory({
  service: notificationService,
  deps: {},
  factory: () => ({
    async send(options: NotificationSendOptions) {
      sent.push(options);
    },
  }),
});

/** Notifications leave after the answer (off the critical path): wait for one. */
async function notified(predicate: (n: NotificationSendOptions) => boolean) {
  const deadline = Date.now() + 5_000;
  while (!sent.some(predicate)) {
    if (Date.now() > deadline) throw new Error('no such notification was sent');
    await new Promise(r => setTimeout(r, 50));
  }
  return sent.find(predicate)!;
}

jest.setTimeout(240_000);

/** Stands in for the MCP plugin: a plugin that holds the actions service. */
let actions: ActionsService;
const agentPlugin = createBackendPlugin({
  pluginId: 'agent',
  register(env) {
    env.registerInit({
      deps: { actionsService: actionsServiceRef },
      async init({ actionsService }) {
        actions = actionsService;
      },
    });
  },
});

const alice = mockCredentials.user('user:default/alice');
const dave = mockCredentials.user('user:default/dave');
const pat = mockCredentials.user('user:default/pat');
const ORDERS = 'component:default/orders-service';

/** Every property name anywhere in a JSON schema. */
function propertyNames(schema: any): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const own = Object.keys(schema.properties ?? {});
  return [
    ...own,
    ...Object.values(schema).flatMap(v =>
      Array.isArray(v) ? v.flatMap(propertyNames) : propertyNames(v),
    ),
  ];
}

describe('actions for AI agents, through the actions service', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let knex: Knex;
  let server: any;
  let stop: () => Promise<void>;
  let client: { clientId: string; clientSecret: string };

  const invoke = (id: string, input: object, credentials = alice) =>
    actions.invoke({
      id: `apim-credentials:${id}`,
      input: input as any,
      credentials,
    });
  const cell = () => ({
    entityRef: ORDERS,
    environment: 'sandbox',
    keyManager: 'IS',
    consumerKey: client.clientId,
  });

  beforeAll(async () => {
    const backend = await startPolicyBackend({
      databases,
      clientName: 'actions-client',
      waitFor: ['component/default/orders-service'],
      user: 'user:default/alice',
      rootConfig: {
        app: { baseUrl: 'http://portal.example.com' },
        backend: { actions: { pluginSources: ['apim-credentials'] } },
      },
      features: [
        actionsRegistryServiceFactory,
        actionsServiceFactory,
        agentPlugin,
        notificationsFactory,
      ],
    });
    ({ server, knex, client } = backend);
    stop = () => backend.stop();
  });

  afterAll(async () => {
    await stop?.();
  });

  it('lists the six actions, none of which accepts a secret', async () => {
    const { actions: listed } = await actions.list({ credentials: dave });
    const ours = listed.filter(a => a.pluginId === 'apim-credentials');
    expect(ours.map(a => a.name).sort()).toEqual([
      'find-consumer-key',
      'get-entity-credentials',
      'list-drift',
      'plan-provision',
      'search-audit',
      'unprovision',
    ]);
    for (const action of ours) {
      expect(action.schema.secrets).toBeUndefined();
      for (const name of propertyNames(action.schema.input)) {
        expect(`${action.name}.${name}`).not.toMatch(/secret|password/i);
      }
    }
    const byName = Object.fromEntries(ours.map(a => [a.name, a]));
    expect(byName.unprovision.attributes).toMatchObject({
      destructive: true,
      readOnly: false,
    });
    expect(byName.unprovision.schema.input.required).toContain('consumerKey');
    for (const name of [
      'get-entity-credentials',
      'search-audit',
      'find-consumer-key',
      'list-drift',
      'plan-provision',
    ]) {
      expect(byName[name].attributes).toMatchObject({
        readOnly: true,
        destructive: false,
      });
    }
  });

  it('refuses a secret passed to any action', async () => {
    // A valid input of each action: what makes it fail is the secret alone.
    const valid: Record<string, object> = {
      'get-entity-credentials': { entityRef: ORDERS },
      'search-audit': {},
      'find-consumer-key': { consumerKey: client.clientId },
      'list-drift': {},
      'plan-provision': cell(),
      unprovision: cell(),
    };
    const { actions: listed } = await actions.list({ credentials: alice });
    const ours = listed
      .filter(a => a.pluginId === 'apim-credentials')
      .map(a => a.name);
    // Every registered action is tried: a new one needs its valid input here.
    expect(ours.sort()).toEqual(Object.keys(valid).sort());
    for (const name of ours) {
      await expect(
        actions.invoke({
          id: `apim-credentials:${name}`,
          input: valid[name] as any,
          secrets: { consumerSecret: client.clientSecret },
          credentials: alice,
        }),
      ).rejects.toMatchObject({ statusCode: 400 });
      await expect(
        invoke(name, { ...valid[name], consumerSecret: 'x' }),
      ).rejects.toMatchObject({
        statusCode: 400,
        body: { error: { message: expect.stringMatching(/consumerSecret/) } },
      });
    }
  });

  it('plan-provision: the owner gets the pre-filled link, a non-owner is denied and audited', async () => {
    const { output } = await invoke('plan-provision', cell());
    expect(output).toMatchObject({
      status: 'created',
      applicationName: 'orders-service',
      keyType: 'SANDBOX',
      verificationRequired: false,
    });
    const link = new URL((output as any).link);
    expect(link.origin + link.pathname).toBe(
      'http://portal.example.com/catalog/default/component/orders-service/apim-credentials',
    );
    expect(Object.fromEntries(link.searchParams)).toEqual({
      provide: 'sandbox',
      keyManager: 'IS',
      consumerKey: client.clientId,
    });
    // A plan changes nothing.
    expect(await knex('apim_credentials_mappings').select()).toEqual([]);

    await expect(invoke('plan-provision', cell(), dave)).rejects.toMatchObject({
      statusCode: 403,
      body: { error: { name: 'NotAllowedError' } },
    });
    const [denied] = await knex('apim_credentials_audit')
      .where({ actor: 'user:default/dave', outcome: 'denied' })
      .select();
    expect(denied).toMatchObject({
      action: 'provision',
      source: 'action',
      // The plugin the agent's call came through (plugin:mcp-actions in the demo backend).
      via: expect.stringMatching(/^plugin:/),
      consumer_key: client.clientId,
    });
  });

  it('get-entity-credentials, find-consumer-key and list-drift answer as the REST API does', async () => {
    const put = await request(server)
      .put(
        `/api/apim-credentials/entities/component/default/orders-service/credentials/sandbox/IS`,
      )
      .set('authorization', mockCredentials.user.header('user:default/alice'))
      .send({
        consumerKey: client.clientId,
        consumerSecret: client.clientSecret,
      });
    expect({ status: put.status, body: put.body }).toMatchObject({
      status: 201,
    });
    // The other owners hear of it; the person who acted does not.
    const mapped = await notified(n => /changed/.test(n.payload.title));
    expect(mapped).toMatchObject({
      recipients: {
        type: 'entity',
        entityRef: ORDERS,
        excludeEntityRef: 'user:default/alice',
      },
      payload: {
        link: '/catalog/default/component/orders-service/apim-credentials',
        topic: 'apim-credentials',
      },
    });
    expect(mapped.payload.description).toContain(client.clientId);

    const read = await invoke(
      'get-entity-credentials',
      { entityRef: ORDERS },
      dave,
    );
    expect(JSON.stringify(read.output)).toContain(client.clientId);
    expect(JSON.stringify(read.output)).not.toContain(client.clientSecret);

    // The organisation-wide lookups are for apim.audit.read holders (the platform team).
    await expect(
      invoke('find-consumer-key', { consumerKey: client.clientId }, alice),
    ).rejects.toMatchObject({ statusCode: 403 });
    const found = await invoke(
      'find-consumer-key',
      { consumerKey: client.clientId },
      pat,
    );
    expect((found.output as any).holders).toEqual([
      expect.objectContaining({
        entityRef: ORDERS,
        environment: 'sandbox',
        keyManager: 'IS',
        applicationName: 'orders-service',
        consumerKey: client.clientId,
      }),
    ]);
    expect(
      (
        await invoke(
          'find-consumer-key',
          { consumerKey: 'nobody-holds-this' },
          pat,
        )
      ).output,
    ).toEqual({ holders: [] });

    await expect(invoke('list-drift', {}, alice)).rejects.toMatchObject({
      statusCode: 403,
    });
    expect((await invoke('list-drift', {}, pat)).output).toEqual({ items: [] });
    await knex('apim_credentials_mappings').update({
      state: 'drifted',
      drift_reason: 'removed in API-M',
    });
    expect((await invoke('list-drift', {}, pat)).output).toMatchObject({
      items: [
        {
          entityRef: ORDERS,
          state: 'drifted',
          driftReason: 'removed in API-M',
        },
      ],
    });
    await knex('apim_credentials_mappings').update({
      state: 'active',
      drift_reason: null,
    });
  });

  it('unprovision: a non-owner is denied (nothing removed, audited); the owner removes the named client', async () => {
    await expect(invoke('unprovision', cell(), dave)).rejects.toMatchObject({
      statusCode: 403,
    });
    expect(await knex('apim_credentials_mappings').select()).toHaveLength(1);
    expect(
      await knex('apim_credentials_audit')
        .where({ actor: 'user:default/dave', action: 'unprovision' })
        .select('outcome', 'source'),
    ).toEqual([{ outcome: 'denied', source: 'action' }]);

    // Another client's key removes nothing (the action names what it removes).
    await expect(
      invoke('unprovision', { ...cell(), consumerKey: 'some-other-client' }),
    ).rejects.toMatchObject({ statusCode: 409 });
    expect(await knex('apim_credentials_mappings').select()).toHaveLength(1);

    const { output } = await invoke('unprovision', cell());
    expect(output).toMatchObject({
      status: 'removed',
      consumerKey: client.clientId,
    });
    expect(await knex('apim_credentials_mappings').select()).toEqual([]);
    const removed = await notified(n => /removed/.test(n.payload.title));
    expect(removed.payload).toMatchObject({ severity: 'high' });
    // Denied and refused attempts changed nothing: nobody was notified of them.
    expect(sent).toHaveLength(2);
    expect(JSON.stringify(sent)).not.toContain(client.clientSecret);
  });

  it('search-audit: platform readers see all, others only an entity they may read', async () => {
    await expect(invoke('search-audit', {}, alice)).rejects.toMatchObject({
      statusCode: 403,
    });
    const own = await invoke('search-audit', { entityRef: ORDERS }, alice);
    expect((own.output as any).items.length).toBeGreaterThan(0);
    const all = await invoke('search-audit', { outcome: 'denied' }, pat);
    expect(
      (all.output as any).items.map((r: any) => [r.actor, r.action, r.source]),
    ).toEqual(
      expect.arrayContaining([
        ['user:default/dave', 'unprovision', 'action'],
        ['user:default/dave', 'provision', 'action'],
      ]),
    );
    await expect(
      invoke('search-audit', { outcome: 'bogus' }, pat),
    ).rejects.toMatchObject({
      statusCode: 400,
      body: { error: { message: expect.stringMatching(/outcome/) } },
    });
  });
});
