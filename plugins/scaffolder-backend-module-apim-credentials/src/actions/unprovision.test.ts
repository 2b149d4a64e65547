import { mockCredentials } from '@backstage/backend-test-utils';
import { APIM_CREDENTIALS_TASK_ID_HEADER } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { createApimCredentialsUnprovisionAction } from './unprovision';
import { FakeApimCredentialsBackend } from '../__testUtils__/FakeApimCredentialsBackend';
import {
  actionOptions,
  outputs,
  taskContext,
  TaskContextOptions,
} from '../__testUtils__/taskContext';

const input = {
  entityRef: 'component:default/orders-service',
  environments: ['sandbox', 'production'],
  keyManager: 'IS',
};

function setup() {
  const backend = new FakeApimCredentialsBackend();
  backend.mappings.set('component:default/orders-service|sandbox|IS', {
    consumerKey: 'orders-client',
    keyMappingId: 'km-1',
  });
  const action = createApimCredentialsUnprovisionAction(
    actionOptions(backend.fetch),
  );
  return { backend, action };
}

/** A task of these tests (task-456), of `input` unless `extra.input` says otherwise. */
const context = (extra: TaskContextOptions & { input?: object } = {}) =>
  taskContext(extra.input ?? input, { taskId: 'task-456', ...extra });

describe('apim:credentials:unprovision', () => {
  it('removes the mapping where there is one and reports unchanged where there is none', async () => {
    const { backend, action } = setup();
    const { ctx } = context();
    await action.handler(ctx);

    // Only where a client is mapped: the backend removes only the client the caller names
    // (issue 10 item 2), which the action reads from the entity's credentials first.
    const deletes = backend.requests.filter(r => r.method === 'DELETE');
    expect(deletes).toHaveLength(1);
    expect(deletes[0].url.searchParams.get('consumerKey')).toBe(
      'orders-client',
    );
    expect(deletes[0].headers[APIM_CREDENTIALS_TASK_ID_HEADER]).toBe(
      'task-456',
    );
    expect(deletes[0].headers.authorization).toBe(
      `Bearer ${mockCredentials.service.token({
        onBehalfOf: mockCredentials.user(),
        targetPluginId: 'apim-credentials',
      })}`,
    );
    expect(backend.mappings.size).toBe(0);
    expect(outputs(ctx)).toEqual({
      warnings: [],
      removed: [
        {
          environment: 'sandbox',
          keyManager: 'IS',
          consumerKey: 'orders-client',
          keyMappingId: 'km-1',
          status: 'removed',
        },
        {
          environment: 'production',
          keyManager: 'IS',
          consumerKey: '',
          keyMappingId: '',
          status: 'unchanged',
        },
      ],
    });
  });

  it('dry run removes nothing', async () => {
    const { backend, action } = setup();
    const { ctx, logger } = context({ isDryRun: true });
    await action.handler(ctx);
    expect(
      backend.requests
        .filter(r => r.method === 'DELETE')
        .every(r => r.url.searchParams.get('dryRun') === 'true'),
    ).toBe(true);
    expect(backend.mappings.size).toBe(1);
    expect(logger.info).toHaveBeenCalledWith(
      'Dry run: would remove client orders-client from environment "sandbox" (key manager "IS"); nothing changed',
    );
  });

  it('a re-run task with stored checkpoints removes once and keeps its outputs', async () => {
    const { backend, action } = setup();
    const checkpoints = new Map<string, unknown>();
    const first = context({ checkpoints });
    await action.handler(first.ctx);
    const second = context({ checkpoints });
    await action.handler(second.ctx);
    expect(backend.requests.filter(r => r.method === 'DELETE')).toHaveLength(1);
    expect(outputs(second.ctx)).toEqual(outputs(first.ctx));
    expect([...checkpoints.keys()]).toEqual([
      'apim-credentials|unprovision|component:default/orders-service|sandbox|IS',
      'apim-credentials|unprovision|component:default/orders-service|production|IS',
    ]);
  });

  it('rejects an unknown environment before removing anything', async () => {
    const { backend, action } = setup();
    await expect(
      action.handler(
        context({ input: { ...input, environments: ['sandbox', 'qa'] } }).ctx,
      ),
    ).rejects.toThrow(/Unknown environment "qa"/);
    expect(backend.mutations).toEqual([]);
  });

  it('reports a denied environment next to the one that succeeded', async () => {
    const { backend, action } = setup();
    backend.mappings.set('component:default/orders-service|production|IS', {
      consumerKey: 'orders-prod-client',
      keyMappingId: 'km-9',
    });
    backend.failures.set('production', {
      status: 403,
      name: 'NotAllowedError',
      message: 'not an owner',
    });
    const error = await action.handler(context().ctx).then(
      () => undefined,
      e => e,
    );
    expect(error.name).toBe('NotAllowedError');
    expect(error.message).toMatch(
      /failed in 1 of 2 environments:\n- environment "production" \(key manager "IS"\): permission denied: you may not unprovision/,
    );
    expect(error.message).toMatch(
      /\n- environment "sandbox": removed\n\n\[Open component:default\/orders-service\]\(\/catalog\/default\/component\/orders-service\)/,
    );
  });
});
