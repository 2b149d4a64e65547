/**
 * Subscriptions from the catalog (issue 16) against the real local stack: the entity's
 * consumesApis joined with its bound application's subscriptions, subscribe / unsubscribe /
 * sync (dry run, idempotent), API-M's answers translated, audit rows, the permission, and the
 * seed's step 4: a key-manager token for the client calls the subscribed API through the gateway.
 */
import { execFileSync } from 'node:child_process';
import https from 'node:https';
import {
  ACCESS_TOKEN_PLACEHOLDER,
  buildInvokeCurl,
  CA_CERT_PLACEHOLDER,
  RESOURCE_PLACEHOLDER,
  shellQuote,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { LocalStack } from '@internal/local-stack';
import { createTestDatabases } from '../__testUtils__/databases';
import { useStackBackend } from '../__testUtils__/harness';
import { ENTITIES } from '../__testUtils__/subscriptionEntities';

jest.setTimeout(120_000);

const hasCurl = (() => {
  try {
    execFileSync('curl', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

const databases = createTestDatabases();

const ORDERS = '/entities/component/default/orders-service';
const SUBS = `${ORDERS}/subscriptions`;

describe('subscriptions from the catalog', () => {
  const suite = useStackBackend({
    databases,
    entities: ENTITIES,
    timeoutMs: 240_000,
  });

  beforeAll(async () => {
    const demo = suite.stack.demoClients.find(
      c => c.name === 'orders-service-sandbox',
    )!;
    const provisioned = await suite.backend.call(
      'put',
      `${ORDERS}/credentials/sandbox/IS`,
      {
        consumerKey: demo.clientId,
        consumerSecret: demo.clientSecret,
      },
    );
    if (provisioned.status !== 201) {
      throw new Error(
        `Providing the demo client answered ${provisioned.status}`,
      );
    }
  });

  const view = async () => {
    const res = await suite.backend.call('get', `${SUBS}?environment=sandbox`);
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
    const res = await suite.backend.call(
      'put',
      `${SUBS}/sandbox/payments-api`,
      {
        tier: 'Unlimited',
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('SUBSCRIPTION_TIER_NOT_ALLOWED');
    expect(res.body.error.message).toContain('Gold, Bronze');
    expect(
      (await suite.stack.emulator.control.state()).subscriptions,
    ).toHaveLength(0);
  });

  it('sync: the dry run plans and changes nothing, the run subscribes, a re-run changes nothing', async () => {
    const plan = await suite.backend.call(
      'post',
      `${SUBS}/sandbox/sync?dryRun=true`,
      {},
    );
    expect(plan.status).toBe(200);
    expect(plan.body.items.map((i: any) => [i.action, i.apiRef])).toEqual([
      ['subscribe', 'api:default/payments-api'],
      ['subscribe', 'api:default/pizzashack-api'],
    ]);
    expect(
      (await suite.stack.emulator.control.state()).subscriptions,
    ).toHaveLength(0);

    const run = await suite.backend.call('post', `${SUBS}/sandbox/sync`, {});
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
          // The URL API-M reports for the API (GET /apis/{apiId} endpointURLs).
          gatewayUrl: `${suite.stack.emulator.url}/payments/1.0.0`,
        }),
        // Resolved by name and version through the search, whose APIInfo has no URLs.
        expect.objectContaining({
          name: 'PizzaShackAPI',
          gatewayUrl: `${suite.stack.emulator.url}/pizzashack/1.0.0`,
        }),
      ]),
    );

    const again = await suite.backend.call('post', `${SUBS}/sandbox/sync`, {});
    expect(again.body.results).toEqual([]);
    expect(
      (await suite.stack.emulator.control.state()).subscriptions,
    ).toHaveLength(2);
  });

  /** The orders-service sandbox client, a token of it and the subscribed PaymentsAPI in the view. */
  const paymentsWithToken = async () => {
    const demo = suite.stack.demoClients.find(
      c => c.name === 'orders-service-sandbox',
    )!;
    const token = await suite.stack.keyManager.client.requestToken(demo);
    const payments = (await view()).subscribed.find(
      (s: any) => s.name === 'PaymentsAPI',
    );
    return { demo, token, payments };
  };

  it("seed step 4: the client's key-manager token calls the subscribed API through the gateway", async () => {
    const { token, payments } = await paymentsWithToken();
    const call = (url: string) =>
      fetchGateway(suite.stack, url, token.access_token);
    expect((await call(`${payments.gatewayUrl}/charges`)).status).toBe(200);
    // OrdersAPI is not subscribed: the gateway's 403 with WSO2's fault 900908
    // ("Resource forbidden", API Subscription validation failed).
    const refused = await call(
      `${suite.stack.emulator.url}/orders/1.0.0/orders`,
    );
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).fault.code).toBe(900908);
  });

  // Skipped (and reported as such) where curl is not installed.
  const describeWithCurl = hasCurl ? describe : describe.skip;
  describeWithCurl('with curl', () => {
    it("seed step 4: the entity tab's invoke command, as a user runs it, calls the subscribed API", async () => {
      const { demo, token, payments } = await paymentsWithToken();
      // Token, CA and resource filled in, as the tab tells the user to.
      const snippet = buildInvokeCurl({
        gatewayUrl: payments.gatewayUrl,
        api: 'PaymentsAPI 1.0.0',
        privateCa: true,
      })
        .replace(
          shellQuote(CA_CERT_PLACEHOLDER),
          shellQuote(suite.stack.tls.caPath),
        )
        .replace(ACCESS_TOKEN_PLACEHOLDER, token.access_token)
        .replace(RESOURCE_PLACEHOLDER, 'charges');
      expect(snippet).not.toContain(demo.clientSecret);
      const out = execFileSync(
        'bash',
        ['-c', `${snippet} -sS -w ' %{http_code}'`],
        { encoding: 'utf8' },
      );
      expect(out).toMatch(/"api":"PaymentsAPI".* 200$/);
    });
  });

  it('undeclared subscriptions are listed and removed only when asked; PUT twice is unchanged', async () => {
    const put = await suite.backend.call(
      'put',
      `${SUBS}/sandbox/${encodeURIComponent('api:default/orders-api')}`,
      {},
    );
    expect(put.status).toBe(201);
    expect(
      (await suite.backend.call('put', `${SUBS}/sandbox/orders-api`, {}))
        .status,
    ).toBe(200);
    expect((await view()).undeclared).toEqual([
      expect.objectContaining({ name: 'OrdersAPI', tier: 'Unlimited' }),
    ]);
    const keep = await suite.backend.call('post', `${SUBS}/sandbox/sync`, {});
    expect(keep.body.results).toEqual([]);
    const remove = await suite.backend.call('post', `${SUBS}/sandbox/sync`, {
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
    const del = await suite.backend.call(
      'delete',
      `${SUBS}/sandbox/payments-api`,
    );
    expect(del.body.outcome).toBe('succeeded');
    expect(
      (await suite.backend.call('delete', `${SUBS}/sandbox/payments-api`)).body
        .outcome,
    ).toBe('unchanged');

    const rows = await suite
      .knex('apim_credentials_audit')
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
    // Each row names the API: entity, API-M id and name + version.
    expect(rows.map(r => [r.action, r.outcome, r.api_ref, r.api_name])).toEqual(
      [
        [
          'subscribe',
          'failed',
          'api:default/payments-api',
          'PaymentsAPI 1.0.0',
        ],
        [
          'subscribe',
          'succeeded',
          'api:default/payments-api',
          'PaymentsAPI 1.0.0',
        ],
        [
          'subscribe',
          'succeeded',
          'api:default/pizzashack-api',
          'PizzaShackAPI 1.0.0',
        ],
        ['subscribe', 'succeeded', 'api:default/orders-api', 'OrdersAPI 1.0.0'],
        ['subscribe', 'unchanged', 'api:default/orders-api', 'OrdersAPI 1.0.0'],
        // An undeclared API has no entity: API-M's id and name name it.
        ['unsubscribe', 'succeeded', null, 'OrdersAPI 1.0.0'],
        [
          'unsubscribe',
          'succeeded',
          'api:default/payments-api',
          'PaymentsAPI 1.0.0',
        ],
        [
          'unsubscribe',
          'unchanged',
          'api:default/payments-api',
          'PaymentsAPI 1.0.0',
        ],
      ],
    );
    expect(rows[1].api_id).toBe('06f2f7d0-5cfb-5351-ad34-3b3394409aa6');
    // Resolved by name and version: the id comes from API-M's answer.
    expect(rows[2].api_id).toEqual(expect.any(String));
    expect(rows[5].api_id).toBe('3e34af34-7759-5522-aaf2-223a6fe13222');
    expect(
      rows.every(r => r.entity_ref === 'component:default/orders-service'),
    ).toBe(true);
  });
});

/** A plain HTTPS call to the emulator's gateway, trusting the stack's CA. */
function fetchGateway(
  stack: LocalStack,
  url: string,
  token: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { headers: { authorization: `Bearer ${token}` }, ca: stack.tls.ca },
      res => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', chunk => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
