import { mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createApimSubscriptionsSyncAction } from './subscriptionsSync';

/** A backend that keeps subscriptions per environment and answers the subscription routes. */
function fakeBackend(declared: string[]) {
  const subscribed = new Map<string, Set<string>>();
  const calls: Array<{
    method: string;
    url: string;
    body?: any;
    headers: any;
  }> = [];
  let failNext: string | undefined;
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  const fetch = async (url: string, init?: RequestInit) => {
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method: init!.method!, url, body, headers: init!.headers });
    const m = url.match(
      /\/entities\/component\/default\/orders-service\/subscriptions\/([^/?]+)\/([^?]+)(\?.*)?$/,
    );
    if (!m)
      return json(404, {
        error: { name: 'NotFoundError', message: 'no route' },
      });
    const env = decodeURIComponent(m[1]);
    const subs = subscribed.get(env) ?? new Set<string>();
    subscribed.set(env, subs);
    if (env === 'nowhere') {
      return json(404, {
        error: {
          name: 'NotFoundError',
          message: 'Unknown environment "nowhere"',
          code: 'UNKNOWN_ENVIRONMENT',
        },
        response: { statusCode: 404 },
      });
    }
    if (m[2] === 'sync') {
      const items = declared
        .filter(a => !subs.has(a))
        .map(apiRef => ({
          apiRef,
          apiId: `id-${apiRef}`,
          action: 'subscribe',
        }));
      if (m[3] === '?dryRun=true') return json(200, { dryRun: true, items });
      const results = items.map(i => {
        if (failNext === i.apiRef) {
          failNext = undefined;
          return {
            ...i,
            outcome: 'failed',
            error: {
              code: 'SUBSCRIPTION_TIER_NOT_ALLOWED',
              message: 'no tier',
            },
          };
        }
        subs.add(i.apiRef);
        return { ...i, outcome: 'succeeded' };
      });
      return json(200, { dryRun: false, results });
    }
    const apiRef = decodeURIComponent(m[2]);
    const had = subs.has(apiRef);
    subs.add(apiRef);
    return json(had ? 200 : 201, {
      outcome: had ? 'unchanged' : 'succeeded',
      apiId: `id-${apiRef}`,
    });
  };
  return {
    fetch,
    calls,
    subscribed,
    failOnce: (apiRef: string) => (failNext = apiRef),
  };
}

function run(
  backend: ReturnType<typeof fakeBackend>,
  input: object,
  extra: { isDryRun?: boolean; checkpoints?: Map<string, unknown> } = {},
) {
  const action = createApimSubscriptionsSyncAction({
    auth: mockServices.auth({ pluginId: 'scaffolder' }),
    discovery: mockServices.discovery(),
    fetch: backend.fetch as any,
  });
  const ctx = createMockActionContext({
    input: input as any,
    task: { id: 'task-9' },
  });
  const checkpoints = extra.checkpoints ?? new Map();
  const checkpoint = async ({ key, fn }: { key: string; fn: () => any }) => {
    if (checkpoints.has(key)) return checkpoints.get(key);
    const value = await fn();
    checkpoints.set(key, value);
    return value;
  };
  const full = { ...ctx, isDryRun: extra.isDryRun, checkpoint } as typeof ctx;
  return { promise: action.handler(full), ctx: full, checkpoints };
}

const DECLARED = ['api:default/payments-api', 'api:default/pizzashack-api'];
const input = {
  entityRef: 'orders-service',
  environments: ['sandbox', 'production'],
  fromCatalog: true,
};

describe('apim:subscriptions:sync', () => {
  it('dry run: outputs the plan per environment and changes nothing', async () => {
    const backend = fakeBackend(DECLARED);
    const { promise, ctx } = run(backend, input, { isDryRun: true });
    await promise;
    expect(ctx.output).toHaveBeenCalledWith('results', [
      {
        environment: 'sandbox',
        apiRef: DECLARED[0],
        apiId: `id-${DECLARED[0]}`,
        action: 'subscribe',
        outcome: 'planned',
      },
      {
        environment: 'sandbox',
        apiRef: DECLARED[1],
        apiId: `id-${DECLARED[1]}`,
        action: 'subscribe',
        outcome: 'planned',
      },
      {
        environment: 'production',
        apiRef: DECLARED[0],
        apiId: `id-${DECLARED[0]}`,
        action: 'subscribe',
        outcome: 'planned',
      },
      {
        environment: 'production',
        apiRef: DECLARED[1],
        apiId: `id-${DECLARED[1]}`,
        action: 'subscribe',
        outcome: 'planned',
      },
    ]);
    expect([...backend.subscribed.values()].every(s => s.size === 0)).toBe(
      true,
    );
    expect(backend.calls.every(c => c.url.includes('dryRun=true'))).toBe(true);
  });

  it('subscribes per environment as the user, with the task id; a recovered task reuses its checkpoints', async () => {
    const backend = fakeBackend(DECLARED);
    const first = run(backend, input);
    await first.promise;
    expect(backend.subscribed.get('production')).toEqual(new Set(DECLARED));
    expect(backend.calls[0].headers.authorization).toMatch(/^Bearer /);
    expect(backend.calls[0].headers['x-apim-credentials-task-id']).toBe(
      'task-9',
    );
    const callsBefore = backend.calls.length;
    const again = run(backend, input, { checkpoints: first.checkpoints });
    await again.promise;
    expect(backend.calls.length).toBe(callsBefore);
    expect(again.ctx.output).toHaveBeenCalledWith(
      'results',
      expect.arrayContaining([
        expect.objectContaining({
          environment: 'sandbox',
          apiRef: DECLARED[0],
          outcome: 'succeeded',
        }),
      ]),
    );
  });

  it('a failed API fails the step after the other environments ran, and is retried on re-run', async () => {
    const backend = fakeBackend(DECLARED);
    backend.failOnce(DECLARED[1]);
    const first = run(backend, input);
    await expect(first.promise).rejects.toThrow(
      /sandbox: subscribe api:default\/pizzashack-api: no tier/,
    );
    expect(backend.subscribed.get('production')).toEqual(new Set(DECLARED));
    const retry = run(backend, input, { checkpoints: first.checkpoints });
    await retry.promise;
    expect(backend.subscribed.get('sandbox')).toEqual(new Set(DECLARED));
  });

  it('an explicit list subscribes those APIs, idempotently', async () => {
    const backend = fakeBackend([]);
    const list = {
      entityRef: 'orders-service',
      environments: 'sandbox',
      fromCatalog: false,
      apis: ['orders-api'],
    };
    await run(backend, list).promise;
    const second = run(backend, list);
    await second.promise;
    expect(second.ctx.output).toHaveBeenCalledWith('results', [
      {
        environment: 'sandbox',
        apiRef: 'api:default/orders-api',
        apiId: 'id-api:default/orders-api',
        action: 'subscribe',
        outcome: 'unchanged',
      },
    ]);
  });

  it('bad input names the field before any call', async () => {
    const backend = fakeBackend([]);
    await expect(
      run(backend, { ...input, fromCatalog: false }).promise,
    ).rejects.toThrow(/apis:/);
    await expect(
      run(backend, { ...input, apis: ['component:default/x'] }).promise,
    ).rejects.toThrow(/apis: "component:default\/x" is not an API entity ref/);
    await expect(
      run(backend, {
        ...input,
        fromCatalog: false,
        apis: ['a'],
        removeUndeclared: true,
      }).promise,
    ).rejects.toThrow(/removeUndeclared/);
    expect(backend.calls).toEqual([]);
    await expect(
      run(backend, { ...input, environments: ['nowhere'] }).promise,
    ).rejects.toThrow(/Unknown environment "nowhere"/);
  });
});
