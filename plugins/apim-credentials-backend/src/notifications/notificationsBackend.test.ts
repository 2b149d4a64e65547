/**
 * Notifications arrive in the app for each governance event (issue 14), through the real
 * notifications backend: the plugin sends with Backstage's notification service, the
 * notifications backend resolves the recipients from the catalog and stores them, and each
 * recipient reads them through GET /api/notifications with their own credentials.
 *
 * - owners: a mapping of their entity replaced or removed by someone else; the drift job finds
 *   their mapping changed outside Backstage; their entity's application unbound and bound; their
 *   request approved, rejected, expired;
 * - approvers: a new request.
 *
 * The one who acted hears nothing, and no notification carries a secret.
 */
import { Knex } from 'knex';
import { LocalStack } from '@internal/local-stack';
import type { ApimClient } from '../apim/ApimClient';
import {
  apimClientOf,
  remapInApim,
} from '../__testUtils__/apimBehindBackstage';
import { createTestDatabases } from '../__testUtils__/databases';
import { approvalApimConfig, startStack } from '../__testUtils__/harness';
import {
  BackendWithNotifications,
  StoredNotification,
  governanceCatalog,
  startBackendWithNotifications,
} from '../__testUtils__/notificationsBackend';
import { APPROVALS_LINK } from './approvalNotifications';

jest.setTimeout(180_000);

const databases = createTestDatabases();
const OWNER = 'user:default/olivia';
const APPROVER = 'user:default/pat';
const ADMIN = 'user:default/sam';
const ENTITY = 'component:default/orders-service';
const TAB = '/catalog/default/component/orders-service/apim-credentials';
const cell = (env: string) =>
  `/entities/component/default/orders-service/credentials/${env}/IS`;

describe('governance notifications through the notifications backend', () => {
  let stack: LocalStack & { logs: string[] };
  let knex: Knex;
  let backend: BackendWithNotifications;
  let apim: ApimClient;
  const secrets: string[] = [];
  let n = 0;

  beforeAll(async () => {
    stack = await startStack();
    knex = await databases.init('SQLITE_3');
    const config = approvalApimConfig(stack, {
      notify: ['group:default/platform-team'],
    });
    backend = await startBackendWithNotifications({
      knex,
      notificationsKnex: await databases.init('SQLITE_3'),
      config,
      entities: governanceCatalog({
        entityName: 'orders-service',
        owners: [OWNER],
        approvers: [APPROVER],
        outsiders: [ADMIN],
      }),
    });
    apim = apimClientOf(config);
  });

  afterAll(async () => {
    await apim?.close();
    await backend?.stop();
    await stack?.stop();
  });

  /** A new client at the key manager; its secret is remembered for the final scan. */
  async function newClient() {
    const client = await stack.keyManager.createClient({
      name: `notified-${(n += 1)}`,
      grantTypes: ['client_credentials'],
    });
    secrets.push(client.clientSecret);
    return client;
  }

  async function provide(
    user: string,
    env: string,
    client: { clientId: string; clientSecret: string },
    status: number,
  ) {
    const res = await backend.call('put', cell(env), user, {
      consumerKey: client.clientId,
      consumerSecret: client.clientSecret,
    });
    expect(res.status).toBe(status);
    return res.body;
  }

  /**
   * The notification `user` reads whose title starts with `title` and whose description has
   * `mentioning`; notifications are sent off the request's path, so it is waited for.
   */
  async function received(
    user: string,
    title: string,
    mentioning: string,
  ): Promise<StoredNotification> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const found = (await backend.notificationsOf(user)).find(
        x =>
          x.payload.title.startsWith(title) &&
          (x.payload.description ?? '').includes(mentioning),
      );
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `${user} has no notification "${title}" mentioning ${mentioning}: ${JSON.stringify(
            await backend.notificationsOf(user),
          )}`,
        );
      }
      await new Promise(r => setTimeout(r, 100));
    }
  }

  it('owners hear of their mapping replaced by someone else: removed, then another client mapped', async () => {
    const own = await newClient();
    await provide(OWNER, 'sandbox', own, 201);
    // A slot holds one client: replacing is removing, then providing another.
    const removed = await backend.call(
      'delete',
      `${cell('sandbox')}?consumerKey=${own.clientId}`,
      ADMIN,
    );
    expect(removed.status).toBe(200);
    const gone = await received(
      OWNER,
      `API-M credentials of ${ENTITY} removed`,
      own.clientId,
    );
    expect(gone.payload).toMatchObject({
      link: TAB,
      severity: 'high',
      topic: 'apim-credentials',
    });
    expect(gone.payload.description).toContain(ADMIN);

    const other = await newClient();
    await provide(ADMIN, 'sandbox', other, 201);
    const changed = await received(
      OWNER,
      `API-M credentials of ${ENTITY} changed`,
      other.clientId,
    );
    expect(changed.payload).toMatchObject({ link: TAB, severity: 'normal' });
    expect(changed.payload.description).toContain(ADMIN);
  });

  it("owners hear of their entity's application unbound and bound again", async () => {
    const [binding] = (
      await backend.call('get', `/bindings?entityRef=${ENTITY}`, ADMIN)
    ).body;
    expect(binding).toMatchObject({ entityRef: ENTITY });
    const unbind = await backend.call(
      'delete',
      `/bindings/local/${binding.applicationId}`,
      ADMIN,
    );
    expect(unbind.status).toBe(200);
    const unbound = await received(
      OWNER,
      `API-M application of ${ENTITY} unbound`,
      binding.applicationName,
    );
    expect(unbound.payload.link).toBe(TAB);

    const bind = await backend.call('post', '/bindings', ADMIN, {
      instance: 'local',
      entityRef: ENTITY,
      applicationName: binding.applicationName,
    });
    expect(bind.status).toBe(201);
    const bound = await received(
      OWNER,
      `API-M application of ${ENTITY} bound`,
      binding.applicationName,
    );
    expect(bound.payload.link).toBe(TAB);
  });

  it('owners hear when the drift job finds their mapping changed outside Backstage', async () => {
    // The mapping the first case left: someone else's client, recorded for the entity.
    const row = await knex('apim_credentials_mappings')
      .where({ entity_ref: ENTITY, environment: 'sandbox' })
      .first();
    const outsider = await newClient();
    // Someone maps another client into the slot in API-M directly.
    await remapInApim(apim, row, outsider);
    await backend.reconcile();
    const drifted = await received(
      OWNER,
      `API-M credentials of ${ENTITY} changed outside Backstage`,
      row.consumer_key,
    );
    expect(drifted.payload).toMatchObject({ link: TAB, severity: 'high' });
    expect(drifted.payload.description).toContain(outsider.clientId);
  });

  it('approvers hear of a new request; owners of its approval', async () => {
    const client = await newClient();
    const { request } = await provide(OWNER, 'production', client, 202);
    const asked = await received(
      APPROVER,
      `Approval requested: ${ENTITY} in production`,
      client.clientId,
    );
    expect(asked.payload.link).toBe(APPROVALS_LINK);

    const approve = await backend.call(
      'post',
      `/approvals/${request.id}/approve`,
      APPROVER,
      {},
    );
    expect(approve.status).toBe(200);
    const approved = await received(
      OWNER,
      `Approval request approved: ${ENTITY}`,
      client.clientId,
    );
    expect(approved.payload).toMatchObject({ link: TAB, severity: 'normal' });
    expect(approved.payload.description).toContain(APPROVER);
  });

  it('owners hear of their request rejected', async () => {
    const client = await newClient();
    const { request } = await provide(OWNER, 'production', client, 202);
    const reject = await backend.call(
      'post',
      `/approvals/${request.id}/reject`,
      APPROVER,
      { comment: 'use the shared client' },
    );
    expect(reject.status).toBe(200);
    const rejected = await received(
      OWNER,
      `Approval request rejected: ${ENTITY}`,
      client.clientId,
    );
    expect(rejected.payload).toMatchObject({ link: TAB, severity: 'high' });
    expect(rejected.payload.description).toContain('use the shared client');
  });

  it('owners hear of their request expired, when the job expires it', async () => {
    const client = await newClient();
    const { request } = await provide(OWNER, 'production', client, 202);
    // Two days on: the request's time is up.
    await knex('apim_credentials_approval_requests')
      .where({ id: request.id })
      .update({ expires_at: Date.now() - 1000 });
    await backend.reconcile();
    const expired = await received(
      OWNER,
      `Approval request expired: ${ENTITY}`,
      client.clientId,
    );
    expect(expired.payload).toMatchObject({ link: TAB, severity: 'high' });
  });

  it('the one who acted hears nothing of it, and no notification carries a secret', async () => {
    const all = await Promise.all(
      [OWNER, APPROVER, ADMIN].map(u => backend.notificationsOf(u)),
    );
    const [owner, approver, admin] = all;
    expect(admin).toEqual([]);
    expect(approver.map(x => x.payload.title)).toEqual([
      `Approval requested: ${ENTITY} in production`,
      `Approval requested: ${ENTITY} in production`,
      `Approval requested: ${ENTITY} in production`,
    ]);
    // The owner's own PUTs and requests told nobody about themselves.
    expect(owner).toHaveLength(8);
    expect(
      owner.every(x => x.origin === 'plugin:apim-credentials' && x.user),
    ).toBe(true);
    const text = JSON.stringify(all);
    expect(secrets).toHaveLength(6);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
