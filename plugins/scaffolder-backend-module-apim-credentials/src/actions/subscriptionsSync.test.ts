import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createApimSubscriptionsSyncAction } from './subscriptionsSync';
import { fakeSubscriptionsBackend } from '../__testUtils__/FakeSubscriptionsBackend';
import {
  actionOptions,
  taskContext,
  TaskContextOptions,
} from '../__testUtils__/taskContext';

type Backend = ReturnType<typeof fakeSubscriptionsBackend>;

function run(
  backend: Backend,
  input: object,
  extra: TaskContextOptions & {
    catalog?: ReturnType<typeof catalogServiceMock>;
  } = {},
) {
  const action = createApimSubscriptionsSyncAction(
    actionOptions(backend.fetch as any, extra.catalog),
  );
  const { ctx, checkpoints } = taskContext(input, {
    taskId: 'task-9',
    isDryRun: extra.isDryRun,
    checkpoints: extra.checkpoints,
  });
  return { promise: action.handler(ctx), ctx, checkpoints };
}

const DECLARED = ['api:default/payments-api', 'api:default/pizzashack-api'];
const input = {
  entityRef: 'orders-service',
  environments: ['sandbox', 'production'],
  fromCatalog: true,
};
const planned = (environment: string, apiRef: string) => ({
  environment,
  apiRef,
  apiId: `id-${apiRef}`,
  action: 'subscribe',
  outcome: 'planned',
});

/** An output result for `apiRef` with `outcome`, and whatever else `more` says it has. */
const resultOf = (apiRef: string, outcome: string, more: object = {}) =>
  expect.objectContaining({ apiRef, outcome, ...more });

describe('apim:subscriptions:sync', () => {
  it('dry run: outputs the plan per environment and changes nothing', async () => {
    const backend = fakeSubscriptionsBackend(DECLARED);
    const { promise, ctx } = run(backend, input, { isDryRun: true });
    await promise;
    expect(ctx.output).toHaveBeenCalledWith('results', [
      planned('sandbox', DECLARED[0]),
      planned('sandbox', DECLARED[1]),
      planned('production', DECLARED[0]),
      planned('production', DECLARED[1]),
    ]);
    expect([...backend.subscribed.values()].every(s => s.size === 0)).toBe(
      true,
    );
    expect(backend.calls.every(c => c.url.includes('dryRun=true'))).toBe(true);
  });

  it('subscribes per environment through the REST client as the user, with the task id; a recovered task reuses its checkpoints', async () => {
    const backend = fakeSubscriptionsBackend(DECLARED);
    const first = run(backend, input);
    await first.promise;
    expect(backend.subscribed.get('production')).toEqual(new Set(DECLARED));
    expect(backend.calls[0].headers).toEqual(
      expect.objectContaining({
        accept: 'application/json',
        'content-type': 'application/json',
        authorization: expect.stringMatching(/^Bearer /),
        'x-apim-credentials-task-id': 'task-9',
      }),
    );
    expect(backend.calls[0].body).toEqual({ removeUndeclared: false });
    const callsBefore = backend.calls.length;
    const again = run(backend, input, { checkpoints: first.checkpoints });
    await again.promise;
    expect(backend.calls.length).toBe(callsBefore);
    expect(again.ctx.output).toHaveBeenCalledWith(
      'results',
      expect.arrayContaining([
        resultOf(DECLARED[0], 'succeeded', { environment: 'sandbox' }),
      ]),
    );
  });

  it("a failed API is described from its code; the step fails after the other environments ran, as InputError with the API's code, and the API is retried on re-run", async () => {
    const backend = fakeSubscriptionsBackend(DECLARED);
    backend.failOnce(DECLARED[1], {
      status: 400,
      code: 'SUBSCRIPTION_TIER_NOT_ALLOWED',
      message: 'Tier "Gold" is not allowed; allowed: Unlimited',
    });
    const first = run(backend, input);
    const error = await first.promise.catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.code).toBe('SUBSCRIPTION_TIER_NOT_ALLOWED');
    expect(error.message).toContain(
      'apim:subscriptions:sync failed in 1 of 2 environments:',
    );
    expect(error.message).toContain(
      'environment "sandbox": subscribe api:default/pizzashack-api: invalid input: Tier "Gold" is not allowed; allowed: Unlimited. ',
    );
    expect(error.message).toContain(
      'apimCredentials.subscriptions.allowedTiers',
    );
    expect(error.message).toContain('environment "production": 2 succeeded');
    // The sandbox's API that worked is output next to the one that failed.
    expect(first.ctx.output).toHaveBeenCalledWith(
      'results',
      expect.arrayContaining([
        resultOf(DECLARED[0], 'succeeded', { environment: 'sandbox' }),
        resultOf(DECLARED[1], 'failed', {
          environment: 'sandbox',
          code: 'SUBSCRIPTION_TIER_NOT_ALLOWED',
        }),
      ]),
    );
    expect(backend.subscribed.get('production')).toEqual(new Set(DECLARED));
    const retry = run(backend, input, { checkpoints: first.checkpoints });
    await retry.promise;
    expect(backend.subscribed.get('sandbox')).toEqual(new Set(DECLARED));
  });

  it('without apim.subscriptions.manage: NotAllowedError naming the permission, per environment', async () => {
    const backend = fakeSubscriptionsBackend(DECLARED);
    backend.refuseAll({
      status: 403,
      code: 'PERMISSION_DENIED',
      message:
        'You may not manage subscriptions of component:default/orders-service',
    });
    const error = await run(backend, input).promise.catch(e => e);
    expect(error.name).toBe('NotAllowedError');
    expect(error.code).toBe('PERMISSION_DENIED');
    expect(error.message).toMatch(
      /environment "sandbox": permission denied: you may not manage the API subscriptions of component:default\/orders-service \(permission apim\.subscriptions\.manage\)/,
    );
    expect(error.message).toContain(
      'environment "production": permission denied',
    );
    expect(error.message).toContain(
      '[Open component:default/orders-service](/catalog/default/component/orders-service)',
    );
  });

  it("an application pending approval stops the environment's explicit list with what to do", async () => {
    const backend = fakeSubscriptionsBackend([]);
    backend.failOnce('api:default/orders-api', {
      status: 400,
      code: 'APPLICATION_PENDING_APPROVAL',
      message: 'Application "orders-service" is waiting for approval',
    });
    const error = await run(backend, {
      entityRef: 'orders-service',
      environments: 'sandbox',
      apis: ['orders-api', 'payments-api'],
    }).promise.catch(e => e);
    expect(error.name).toBe('ConflictError');
    expect(error.code).toBe('APPLICATION_PENDING_APPROVAL');
    expect(error.message).toMatch(
      /waiting for approval\. The application waits for approval in API-M's workflow: retry after an API-M admin approved it/,
    );
    // The environment stopped: the second API was not tried.
    expect(backend.calls.map(c => c.url)).toHaveLength(1);
  });

  it("an explicit list goes on after one API's failure and outputs each API's result", async () => {
    const backend = fakeSubscriptionsBackend([]);
    backend.failOnce('api:default/orders-api', {
      status: 404,
      code: 'API_NOT_FOUND',
      message: 'OrdersAPI 1.0.0 is not published',
    });
    const { promise, ctx } = run(backend, {
      entityRef: 'orders-service',
      environments: 'sandbox',
      apis: ['orders-api', 'payments-api'],
    });
    const error = await promise.catch(e => e);
    expect(error.name).toBe('NotFoundError');
    expect(error.message).toContain(
      'environment "sandbox": subscribe api:default/orders-api: not found: OrdersAPI 1.0.0 is not published.',
    );
    expect(ctx.output).toHaveBeenCalledWith('results', [
      resultOf('api:default/orders-api', 'failed', { code: 'API_NOT_FOUND' }),
      resultOf('api:default/payments-api', 'succeeded', {
        apiId: 'id-api:default/payments-api',
      }),
    ]);
  });

  it('an explicit list subscribes those APIs, idempotently; its dry run reads what is subscribed', async () => {
    const backend = fakeSubscriptionsBackend([]);
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
    const calls = backend.calls.length;
    const dry = run(
      backend,
      { ...list, apis: ['orders-api', 'payments-api'] },
      { isDryRun: true },
    );
    await dry.promise;
    expect(backend.calls.slice(calls).map(c => c.method)).toEqual(['GET']);
    expect(dry.ctx.output).toHaveBeenCalledWith('results', [
      resultOf('api:default/orders-api', 'unchanged'),
      resultOf('api:default/payments-api', 'planned'),
    ]);
  });

  it('dry run of a template whose catalog:register step registered nothing: no call, empty plan', async () => {
    const backend = fakeSubscriptionsBackend(DECLARED);
    const { promise, ctx } = run(
      backend,
      { ...input, waitForEntity: 60 },
      { isDryRun: true, catalog: catalogServiceMock({ entities: [] }) },
    );
    await promise;
    expect(backend.calls).toEqual([]);
    expect(ctx.output).toHaveBeenCalledWith('results', []);
  });

  it('bad input names the field before any call', async () => {
    const backend = fakeSubscriptionsBackend([]);
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
    const error = await run(backend, {
      ...input,
      environments: ['nowhere'],
    }).promise.catch(e => e);
    expect(error.name).toBe('NotFoundError');
    expect(error.code).toBe('UNKNOWN_ENVIRONMENT');
    expect(error.message).toMatch(
      /environment "nowhere": not found: Unknown environment "nowhere"\. Use an environment id that GET \/api\/apim-credentials\/environments lists/,
    );
  });
});
