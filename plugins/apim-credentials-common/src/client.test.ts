import { ApimCredentialsClient } from './client';
import { APIM_CREDENTIALS_SOURCE_HEADER } from './constants';
import { getApimCredentialsErrorCode } from './errors';

function clientAnswering(
  response: () => Response,
  source?: 'ui',
): { client: ApimCredentialsClient; sent: RequestInit[]; urls: string[] } {
  const sent: RequestInit[] = [];
  const urls: string[] = [];
  const client = new ApimCredentialsClient({
    discoveryApi: {
      getBaseUrl: async () => 'http://backend/api/apim-credentials',
    },
    fetchApi: {
      fetch: async (url, init) => {
        urls.push(url);
        sent.push(init ?? {});
        return response();
      },
    },
    source,
  });
  return { client, sent, urls };
}

const errorBody = (code: string, statusCode: number) =>
  new Response(
    JSON.stringify({
      error: { name: 'ConflictError', message: 'taken', code },
      request: { method: 'PUT', url: '/x' },
      response: { statusCode },
    }),
    { status: statusCode, headers: { 'content-type': 'application/json' } },
  );

describe('ApimCredentialsClient', () => {
  it('exposes the backend error code on the error it throws', async () => {
    const { client } = clientAnswering(() => errorBody('SLOT_TAKEN', 409));
    const error = await client.getEnvironments().catch(e => e);
    expect(error.name).toBe('ResponseError');
    expect(error.statusCode).toBe(409);
    expect(error.code).toBe('SLOT_TAKEN');
    expect(getApimCredentialsErrorCode(error)).toBe('SLOT_TAKEN');
  });

  it('leaves the code undefined for answers that are not the backend’s', async () => {
    const { client } = clientAnswering(() => errorBody('SOMETHING_ELSE', 502));
    const error = await client.getEnvironments().catch(e => e);
    expect(error.statusCode).toBe(502);
    expect(error.code).toBeUndefined();
    const html = clientAnswering(
      () => new Response('<html>bad gateway</html>', { status: 502 }),
    );
    expect((await html.client.getEnvironments().catch(e => e)).code).toBe(
      undefined,
    );
  });

  it('marks its requests as the UI only when told to', async () => {
    const ok = () => new Response('[]', { status: 200 });
    const ui = clientAnswering(ok, 'ui');
    await ui.client.getEnvironments();
    expect(
      (ui.sent[0].headers as Record<string, string>)[
        APIM_CREDENTIALS_SOURCE_HEADER
      ],
    ).toBe('ui');
    const other = clientAnswering(ok);
    await other.client.getEnvironments();
    expect(other.sent[0].headers).not.toHaveProperty(
      APIM_CREDENTIALS_SOURCE_HEADER,
    );
  });

  it('lists, binds and unbinds applications on the binding routes (issue 10 item 1)', async () => {
    const { client, sent, urls } = clientAnswering(
      () => new Response('[]', { status: 200 }),
    );
    await client.getBindings({ entityRef: 'component:default/a b' });
    await client.getBindingCandidates();
    await client.bindApplication({
      instance: 'local',
      applicationName: 'orders-app',
      entityRef: 'component:default/orders-service',
    });
    await client.unbindApplication({ instance: 'local', applicationId: 'a/1' });
    expect(urls).toEqual([
      'http://backend/api/apim-credentials/bindings?entityRef=component%3Adefault%2Fa+b',
      'http://backend/api/apim-credentials/bindings/candidates',
      'http://backend/api/apim-credentials/bindings',
      'http://backend/api/apim-credentials/bindings/local/a%2F1',
    ]);
    expect(sent.map(s => s.method)).toEqual(['GET', 'GET', 'POST', 'DELETE']);
    expect(JSON.parse(String(sent[2].body))).toEqual({
      instance: 'local',
      applicationName: 'orders-app',
      entityRef: 'component:default/orders-service',
    });
  });

  it('exposes the code of a refused binding', async () => {
    const { client } = clientAnswering(() =>
      errorBody('PERMISSION_DENIED', 403),
    );
    const error = await client
      .bindApplication({
        instance: 'local',
        applicationName: 'x',
        entityRef: 'component:default/x',
      })
      .catch(e => e);
    expect(error.statusCode).toBe(403);
    expect(error.code).toBe('PERMISSION_DENIED');
  });
});
