/**
 * Subscriptions from the catalog (issue 16) against the real local stack: the entity's
 * consumesApis joined with its bound application's subscriptions, subscribe / unsubscribe /
 * sync (dry run, idempotent), API-M's answers translated, audit rows, the permission, and the
 * seed's step 4: a key-manager token for the client calls the subscribed API through the gateway.
 */
import https from 'node:https';
import { Knex } from 'knex';
import { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { LocalStack } from '@internal/local-stack';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  Backend,
  component,
  startBackend,
  startStack,
} from '../__testUtils__/harness';

jest.setTimeout(120_000);

const databases = createTestDatabases();

function consumer(name: string, consumes: string[]): Entity {
  const entity = component(name, name);
  return { ...entity, spec: { ...entity.spec, consumesApis: consumes } };
}

function api(name: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'API',
    metadata: { name, namespace: 'default', annotations },
    spec: {
      type: 'openapi',
      owner: 'group:default/guests',
      lifecycle: 'production',
      definition: '{}',
    },
  };
}

const ENTITIES = [
  consumer('orders-service', ['payments-api', 'pizzashack-api', 'bare-api']),
  consumer('web-portal', ['orders-api']),
  api('orders-api', {
    'wso2.com/api-id': '3e34af34-7759-5522-aaf2-223a6fe13222',
    'wso2.com/api-name': 'OrdersAPI',
    'wso2.com/api-version': '1.0.0',
  }),
  api('payments-api', {
    'wso2.com/api-id': '06f2f7d0-5cfb-5351-ad34-3b3394409aa6',
    'wso2.com/api-name': 'PaymentsAPI',
    'wso2.com/api-version': '1.0.0',
  }),
  // Name + version only: found through API-M's API search.
  api('pizzashack-api', {
    'wso2.com/api-name': 'PizzaShackAPI',
    'wso2.com/api-version': '1.0.0',
  }),
  api('bare-api', {}),
];

const ORDERS = '/entities/component/default/orders-service';
const SUBS = `${ORDERS}/subscriptions`;

describe('subscriptions from the catalog', () => {
  let stack: LocalStack & { logs: string[] };
  let knex: Knex;
  let backend: Backend;

  beforeAll(async () => {
    stack = await startStack();
    knex = await databases.init('SQLITE_3');
    backend = await startBackend({ stack, knex, entities: ENTITIES });
    const demo = stack.demoClients.find(
      c => c.name === 'orders-service-sandbox',
    )!;
    const provisioned = await backend.call(
      'put',
      `${ORDERS}/credentials/sandbox/IS`,
      {
        consumerKey: demo.clientId,
        consumerSecret: demo.clientSecret,
      },
    );
    expect(provisioned.status).toBe(201);
  }, 240_000);

  afterAll(async () => {
    await backend?.stop();
    await stack?.stop();
  });

  const view = async () => {
    const res = await backend.call('get', `${SUBS}?environment=sandbox`);
    expect(res.status).toBe(200);
    return res.body.environments[0];
  };

  it('joins consumesApis with the application: missing, unresolved, nothing subscribed yet', async () => {
    const v = await view();
    expect(v.application).toMatchObject({ name: 'orders-service' });
    expect(v.subscribed).toEqual([]);
    expect(v.missing.map((m: any) => [m.apiRef, m.name, m.tiers])).toEqual([
      ['api:default/payments-api', 'PaymentsAPI', ['Gold', 'Bronze']],
      ['api:default/pizzashack-api', 'PizzaShackAPI', expect.any(Array)],
    ]);
    expect(v.unresolved).toEqual([
      expect.objectContaining({
        apiRef: 'api:default/bare-api',
        code: 'API_NOT_ANNOTATED',
      }),
    ]);
  });

  it('400 listing the allowed tiers for a tier the API does not offer; nothing subscribed', async () => {
    const res = await backend.call('put', `${SUBS}/sandbox/payments-api`, {
      tier: 'Unlimited',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('SUBSCRIPTION_TIER_NOT_ALLOWED');
    expect(res.body.error.message).toContain('Gold, Bronze');
    expect((await stack.emulator.control.state()).subscriptions).toHaveLength(
      0,
    );
  });

  it('sync: the dry run plans and changes nothing, the run subscribes, a re-run changes nothing', async () => {
    const plan = await backend.call(
      'post',
      `${SUBS}/sandbox/sync?dryRun=true`,
      {},
    );
    expect(plan.status).toBe(200);
    expect(plan.body.items.map((i: any) => [i.action, i.apiRef])).toEqual([
      ['subscribe', 'api:default/payments-api'],
      ['subscribe', 'api:default/pizzashack-api'],
    ]);
    expect((await stack.emulator.control.state()).subscriptions).toHaveLength(
      0,
    );

    const run = await backend.call('post', `${SUBS}/sandbox/sync`, {});
    expect(run.status).toBe(200);
    expect(run.body.results.map((r: any) => r.outcome)).toEqual([
      'succeeded',
      'succeeded',
    ]);
    const v = await view();
    expect(v.missing).toEqual([]);
    expect(v.subscribed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'PaymentsAPI',
          tier: 'Gold',
          status: 'UNBLOCKED',
        }),
      ]),
    );

    const again = await backend.call('post', `${SUBS}/sandbox/sync`, {});
    expect(again.body.results).toEqual([]);
    expect((await stack.emulator.control.state()).subscriptions).toHaveLength(
      2,
    );
  });

  it("seed step 4: the client's key-manager token calls the subscribed API through the gateway", async () => {
    const demo = stack.demoClients.find(
      c => c.name === 'orders-service-sandbox',
    )!;
    const token = await stack.keyManager.client.requestToken(demo);
    const call = (path: string) =>
      fetchGateway(stack, path, token.access_token);
    expect((await call('/payments/1.0.0/charges')).status).toBe(200);
    // OrdersAPI is not subscribed: the gateway refuses.
    expect((await call('/orders/1.0.0/orders')).status).toBe(403);
  });

  it('undeclared subscriptions are listed and removed only when asked; PUT twice is unchanged', async () => {
    const put = await backend.call(
      'put',
      `${SUBS}/sandbox/${encodeURIComponent('api:default/orders-api')}`,
      {},
    );
    expect(put.status).toBe(201);
    expect(
      (await backend.call('put', `${SUBS}/sandbox/orders-api`, {})).status,
    ).toBe(200);
    expect((await view()).undeclared).toEqual([
      expect.objectContaining({ name: 'OrdersAPI', tier: 'Unlimited' }),
    ]);
    const keep = await backend.call('post', `${SUBS}/sandbox/sync`, {});
    expect(keep.body.results).toEqual([]);
    const remove = await backend.call('post', `${SUBS}/sandbox/sync`, {
      removeUndeclared: true,
    });
    expect(remove.body.results).toEqual([
      expect.objectContaining({
        action: 'unsubscribe',
        name: 'OrdersAPI',
        outcome: 'succeeded',
      }),
    ]);
    expect((await view()).undeclared).toEqual([]);
    const del = await backend.call('delete', `${SUBS}/sandbox/payments-api`);
    expect(del.body.outcome).toBe('succeeded');
    expect(
      (await backend.call('delete', `${SUBS}/sandbox/payments-api`)).body
        .outcome,
    ).toBe('unchanged');

    const rows = await knex('apim_credentials_audit')
      .whereIn('action', ['subscribe', 'unsubscribe'])
      .orderBy('seq');
    expect(rows.map(r => [r.action, r.outcome])).toEqual([
      ['subscribe', 'failed'], // the tier API-M's API does not offer
      ['subscribe', 'succeeded'],
      ['subscribe', 'succeeded'],
      ['subscribe', 'succeeded'],
      ['subscribe', 'unchanged'],
      ['unsubscribe', 'succeeded'],
      ['unsubscribe', 'succeeded'],
      ['unsubscribe', 'unchanged'],
    ]);
    expect(rows[0].error_code).toBe('SUBSCRIPTION_TIER_NOT_ALLOWED');
    expect(
      rows.every(r => r.entity_ref === 'component:default/orders-service'),
    ).toBe(true);
  });

  it('an application pending approval: 400 APPLICATION_PENDING_APPROVAL saying what to do', async () => {
    await stack.emulator.control.setConfig({
      applicationApprovalWorkflow: true,
    });
    try {
      const client = await stack.keyManager.createClient({
        name: 'web-portal-sub-test',
        grantTypes: ['client_credentials'],
      });
      const provisioned = await backend.call(
        'put',
        '/entities/component/default/web-portal/credentials/sandbox/IS',
        { consumerKey: client.clientId, consumerSecret: client.clientSecret },
      );
      expect(provisioned.status).toBe(201);
      const res = await backend.call(
        'put',
        '/entities/component/default/web-portal/subscriptions/sandbox/orders-api',
        {},
      );
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('APPLICATION_PENDING_APPROVAL');
      expect(res.body.error.message).toMatch(/waiting for approval/);
    } finally {
      await stack.emulator.control.setConfig({
        applicationApprovalWorkflow: false,
      });
    }
  });

  it('bad input names the field', async () => {
    const res = await backend.call('put', `${SUBS}/sandbox/payments-api`, {
      tier: 'Gold',
      extra: 1,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/body/);
    const notApi = await backend.call(
      'put',
      `${SUBS}/sandbox/${encodeURIComponent('component:default/web-portal')}`,
      {},
    );
    expect(notApi.status).toBe(400);
    expect(notApi.body.error.message).toMatch(/not an API entity/);
    const env = await backend.call('put', `${SUBS}/nowhere/payments-api`, {});
    expect(env.status).toBe(404);
  });

  it('without apim.subscriptions.manage: 403 and a denied audit row, nothing subscribed', async () => {
    const denying = await startBackend({
      stack,
      knex,
      entities: ENTITIES,
      permission: AuthorizeResult.DENY,
    });
    try {
      const before = (await stack.emulator.control.state()).subscriptions
        .length;
      const res = await denying.call('put', `${SUBS}/sandbox/orders-api`, {});
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('PERMISSION_DENIED');
      expect((await stack.emulator.control.state()).subscriptions).toHaveLength(
        before,
      );
      const sync = await denying.call('post', `${SUBS}/sandbox/sync`, {});
      expect(sync.status).toBe(403);
      const denied = await knex('apim_credentials_audit').where({
        outcome: 'denied',
        action: 'subscribe',
      });
      expect(denied.length).toBeGreaterThanOrEqual(2);
    } finally {
      await denying.stop();
    }
  });
});

/** A plain HTTPS call to the emulator's gateway, trusting the stack's CA. */
function fetchGateway(
  stack: LocalStack,
  path: string,
  token: string,
): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${stack.emulator.url}${path}`,
      { headers: { authorization: `Bearer ${token}` }, ca: stack.tls.ca },
      res => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
