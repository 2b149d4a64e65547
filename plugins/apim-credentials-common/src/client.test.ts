import { ApimCredentialsClient } from './client';
import { APIM_CREDENTIALS_SOURCE_HEADER } from './constants';
import { getApimCredentialsErrorCode } from './errors';
import { isProvisionRequested } from './approvalsClient';

const pendingRequest = {
  id: '6f1c2a7e-0d7b-4a51-9b59-3b1c8f1a2b3c',
  state: 'pending',
  entityRef: 'component:default/orders',
  environment: 'production',
  keyType: 'PRODUCTION',
  keyManager: 'Resident Key Manager',
  applicationName: 'orders-app',
  consumerKey: 'ck-1',
  requestedBy: 'user:default/alice',
  requestedAt: '2026-12-01T10:00:00.000Z',
  expiresAt: '2026-12-08T10:00:00.000Z',
};

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

  it('answers the 202 of an environment that requires approval as the request, not an error (issue 14)', async () => {
    const { client, sent, urls } = clientAnswering(
      () =>
        new Response(
          JSON.stringify({
            status: 'approval-pending',
            request: pendingRequest,
          }),
          { status: 202, headers: { 'content-type': 'application/json' } },
        ),
    );
    const answer = await client.provision(
      {
        entityRef: 'component:default/orders',
        environment: 'production',
        keyManager: 'Resident Key Manager',
      },
      { consumerKey: 'ck-1', consumerSecret: 's3cret' },
    );
    expect(urls[0]).toBe(
      'http://backend/api/apim-credentials/entities/component/default/orders/credentials/production/Resident%20Key%20Manager',
    );
    expect(sent[0].method).toBe('PUT');
    expect(isProvisionRequested(answer)).toBe(true);
    if (!isProvisionRequested(answer)) throw new Error('not a request');
    expect(answer.request.id).toBe(pendingRequest.id);
    expect(answer.request.state).toBe('pending');
  });

  it('tells a mapping from a filed request', () => {
    expect(
      isProvisionRequested({
        status: 'created',
        environment: 'production',
        keyManager: 'km',
        keyType: 'PRODUCTION',
        applicationId: 'a',
        consumerKey: 'ck',
      } as never),
    ).toBe(false);
  });

  it('lists and decides approval requests on the approval routes', async () => {
    const { client, sent, urls } = clientAnswering(
      () =>
        new Response(JSON.stringify({ items: [pendingRequest] }), {
          status: 200,
        }),
    );
    const listed = await client.listApprovals({
      state: 'pending',
      entityRef: 'component:default/orders',
    });
    expect(listed.items[0].id).toBe(pendingRequest.id);
    await client.listApprovals();
    await client.decideApproval(pendingRequest.id, 'approve', 'looks fine');
    await client.decideApproval(pendingRequest.id, 'reject');
    expect(urls).toEqual([
      'http://backend/api/apim-credentials/approvals?state=pending&entityRef=component%3Adefault%2Forders',
      'http://backend/api/apim-credentials/approvals',
      `http://backend/api/apim-credentials/approvals/${pendingRequest.id}/approve`,
      `http://backend/api/apim-credentials/approvals/${pendingRequest.id}/reject`,
    ]);
    expect(sent.map(s => s.method)).toEqual(['GET', 'GET', 'POST', 'POST']);
    expect(JSON.parse(String(sent[2].body))).toEqual({ comment: 'looks fine' });
    expect(JSON.parse(String(sent[3].body))).toEqual({});
  });

  it('exposes the code of a refused decision', async () => {
    const { client } = clientAnswering(() => errorBody('SELF_APPROVAL', 403));
    const error = await client
      .decideApproval(pendingRequest.id, 'approve')
      .catch(e => e);
    expect(error.statusCode).toBe(403);
    expect(error.code).toBe('SELF_APPROVAL');
  });
});
