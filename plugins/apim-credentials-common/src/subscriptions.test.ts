import { ApimCredentialsClient } from './client';
import { APIM_CREDENTIALS_SOURCE_HEADER } from './constants';
import { getApimCredentialsErrorCode } from './errors';
import {
  ACCESS_TOKEN_PLACEHOLDER,
  buildInvokeCurl,
  GATEWAY_URL_PLACEHOLDER,
} from './invokeSnippet';
import { CA_CERT_PLACEHOLDER } from './tokenSnippet';

function recording(answer: () => Response) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const client = new ApimCredentialsClient({
    discoveryApi: { getBaseUrl: async () => 'http://b/api/apim-credentials' },
    fetchApi: {
      fetch: async (url, init) => {
        calls.push({ url, init: init ?? {} });
        return answer();
      },
    },
    source: 'ui',
  });
  return { client, calls };
}

const ok = () =>
  new Response('{}', {
    status: 200,
    headers: { 'content-type': 'application/json' },
  });

describe('the subscription methods of ApimCredentialsClient', () => {
  it('call the subscription routes with the entity path, environment and API ref encoded', async () => {
    const { client, calls } = recording(ok);
    const target = {
      entityRef: 'component:default/orders-service',
      environment: 'sandbox',
      apiRef: 'api:default/orders-api',
    };
    await client.getSubscriptions(target.entityRef);
    await client.getSubscriptions(target.entityRef, { environment: 'prod' });
    await client.subscribe(target, { tier: 'Gold' });
    await client.unsubscribe(target);
    await client.syncSubscriptions(target, {}, { dryRun: true });
    await client.syncSubscriptions(target, { removeUndeclared: true });
    const base =
      'http://b/api/apim-credentials/entities/component/default/orders-service/subscriptions';
    expect(calls.map(c => `${c.init.method} ${c.url}`)).toEqual([
      `GET ${base}`,
      `GET ${base}?environment=prod`,
      `PUT ${base}/sandbox/api%3Adefault%2Forders-api`,
      `DELETE ${base}/sandbox/api%3Adefault%2Forders-api`,
      `POST ${base}/sandbox/sync?dryRun=true`,
      `POST ${base}/sandbox/sync`,
    ]);
    expect(calls[2].init.body).toBe('{"tier":"Gold"}');
    expect(calls[5].init.body).toBe('{"removeUndeclared":true}');
    // The same request path as the credentials calls: the UI's source mark on every call.
    for (const c of calls) {
      expect(
        (c.init.headers as Record<string, string>)[
          APIM_CREDENTIALS_SOURCE_HEADER
        ],
      ).toBe('ui');
    }
  });

  it("reject with the backend's stable code", async () => {
    const { client } = recording(
      () =>
        new Response(
          JSON.stringify({
            error: {
              name: 'InputError',
              message: 'tier "x" is not allowed; allowed: Gold, Bronze',
              code: 'SUBSCRIPTION_TIER_NOT_ALLOWED',
            },
            request: { method: 'PUT', url: '/x' },
            response: { statusCode: 400 },
          }),
          { status: 400, headers: { 'content-type': 'application/json' } },
        ),
    );
    const error = await client
      .subscribe({
        entityRef: 'component:default/a',
        environment: 'e',
        apiRef: 'b',
      })
      .catch(e => e);
    expect(getApimCredentialsErrorCode(error)).toBe(
      'SUBSCRIPTION_TIER_NOT_ALLOWED',
    );
    expect(error.statusCode).toBe(400);
  });
});

describe('buildInvokeCurl', () => {
  it('calls the gateway URL API-M reports with the token as a bearer, a placeholder for the token', () => {
    const snippet = buildInvokeCurl({
      gatewayUrl: 'https://gw:8243/payments/1.0.0/',
      api: 'PaymentsAPI 1.0.0',
      privateCa: true,
    });
    expect(snippet).toContain('PaymentsAPI 1.0.0');
    expect(snippet).toContain(`ACCESS_TOKEN='${ACCESS_TOKEN_PLACEHOLDER}'`);
    expect(snippet).toContain(`--cacert '${CA_CERT_PLACEHOLDER}'`);
    expect(snippet).toContain('-H "Authorization: Bearer ${ACCESS_TOKEN}"');
    expect(snippet).toContain("'https://gw:8243/payments/1.0.0/<resource>'");
  });

  it('has a placeholder URL when API-M reports none, and no CA without a private one', () => {
    const snippet = buildInvokeCurl({});
    expect(snippet).toContain(`'${GATEWAY_URL_PLACEHOLDER}'`);
    expect(snippet).not.toContain('--cacert');
  });
});
