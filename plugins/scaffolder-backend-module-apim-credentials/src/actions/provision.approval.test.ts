import { createApimCredentialsProvisionAction } from './provision';
import { FakeApimCredentialsBackend } from '../__testUtils__/FakeApimCredentialsBackend';
import {
  actionOptions,
  provisionInput,
  taskContextWithSecrets,
} from '../__testUtils__/taskContext';

// Provisioning in an environment that requires approval (issue 14 item 1).
const SECRET = 'pr0d-S3cret-Value-77aa';
const SANDBOX_SECRET = 's3cr3t-Value-9f2c';
const production = provisionInput('orders-prod', SECRET, ['production']);

function setup() {
  const backend = new FakeApimCredentialsBackend();
  backend.environments = backend.environments.map(e =>
    e.id === 'production' ? { ...e, approvalRequired: true } : e,
  );
  const action = createApimCredentialsProvisionAction(
    actionOptions(backend.fetch),
  );
  return { backend, action };
}

const context = taskContextWithSecrets({ consumerSecret: SECRET });

describe('apim:credentials:provision in an environment that requires approval', () => {
  it('files the request instead of failing, outputs its id and state, logs what to do next', async () => {
    const { backend, action } = setup();
    const run = context(production);

    await action.handler(run.ctx);

    const [request] = backend.approvalRequests;
    expect(request).toMatchObject({ state: 'pending' });
    expect(backend.mappings.size).toBe(0);
    expect(run.outputs()).toMatchObject({
      mappings: [],
      approvals: [
        {
          environment: 'production',
          keyManager: 'IS',
          consumerKey: 'orders-prod',
          requestId: request.id,
          state: 'pending',
          expiresAt: '2026-12-08T10:00:00.000Z',
        },
      ],
    });
    expect(run.logger.info).toHaveBeenCalledWith(
      expect.stringMatching(
        new RegExp(
          `environment "production" \\(key manager "IS"\\) requires approval: request ${request.id} for client orders-prod is pending.*run the task again`,
        ),
      ),
    );
    // Nothing kept as done: running again must ask the backend again.
    expect(run.checkpoints.size).toBe(0);
    expect(run.logged()).not.toContain(SECRET);
    expect(JSON.stringify(run.outputs())).not.toContain(SECRET);
  });

  it('answers the same request while it is pending, then maps the client once it is approved', async () => {
    const { backend, action } = setup();
    const checkpoints = new Map<string, unknown>();
    await action.handler(context(production, { checkpoints }).ctx);
    const again = context(production, { checkpoints });
    await action.handler(again.ctx);
    expect(backend.approvalRequests).toHaveLength(1);
    const [request] = backend.approvalRequests;
    expect(again.outputs().approvals[0].requestId).toBe(request.id);

    backend.decide(request.id, 'approved');
    const completed = context(production, { checkpoints });
    await action.handler(completed.ctx);

    expect(request.state).toBe('used');
    expect(
      backend.mappings.get('component:default/orders-service|production|IS'),
    ).toMatchObject({ consumerKey: 'orders-prod' });
    expect(completed.outputs()).toMatchObject({
      approvals: [],
      mappings: [
        {
          environment: 'production',
          consumerKey: 'orders-prod',
          status: 'created',
        },
      ],
    });
    // The mapping is checkpointed by ids: a further run replays it and files nothing new.
    expect([...checkpoints.keys()]).toEqual([
      'apim-credentials|provision|component:default/orders-service|production|IS|orders-prod',
    ]);
    expect(JSON.stringify([...checkpoints.entries()])).not.toContain(SECRET);
    const puts = backend.mutations.length;
    await action.handler(context(production, { checkpoints }).ctx);
    expect(backend.mutations).toHaveLength(puts);
    expect(backend.approvalRequests).toHaveLength(1);
  });

  it('files a new request after a rejection', async () => {
    const { backend, action } = setup();
    await action.handler(context(production).ctx);
    backend.decide(backend.approvalRequests[0].id, 'rejected');
    const run = context(production);
    await action.handler(run.ctx);
    expect(backend.approvalRequests.map(r => r.state)).toEqual([
      'rejected',
      'pending',
    ]);
    expect(run.outputs().approvals[0].requestId).toBe(
      backend.approvalRequests[1].id,
    );
  });

  it('maps the other environments of the step and succeeds', async () => {
    const { backend, action } = setup();
    const run = context(
      {
        entityRef: 'component:default/orders-service',
        keyManager: 'IS',
        clients: [
          {
            environment: 'sandbox',
            consumerKey: 'orders-client',
            secretName: 'a',
          },
          {
            environment: 'production',
            consumerKey: 'orders-prod',
            secretName: 'b',
          },
        ],
      },
      { secrets: { a: SANDBOX_SECRET, b: SECRET } },
    );
    await action.handler(run.ctx);
    expect(run.outputs()).toMatchObject({
      mappings: [{ environment: 'sandbox', status: 'created' }],
      approvals: [{ environment: 'production', state: 'pending' }],
    });
    // The pre-flight dry run of production filed nothing; the real call filed one request.
    expect(backend.approvalRequests).toHaveLength(1);
    expect(run.logged()).not.toContain(SECRET);
    expect(run.logged()).not.toContain(SANDBOX_SECRET);
  });

  it('files nothing in a dry run, and reports a request already pending', async () => {
    const { backend, action } = setup();
    const dry = context(production, { isDryRun: true });
    await action.handler(dry.ctx);
    expect(backend.approvalRequests).toHaveLength(0);
    expect(dry.outputs().approvals).toEqual([]);

    await action.handler(context(production).ctx);
    const dryAgain = context(production, { isDryRun: true });
    await action.handler(dryAgain.ctx);
    expect(dryAgain.outputs().approvals).toEqual([
      expect.objectContaining({
        requestId: backend.approvalRequests[0].id,
        state: 'pending',
      }),
    ]);
    expect(dryAgain.logger.info).toHaveBeenCalledWith(
      expect.stringMatching(/^Dry run: .*requires approval: request /),
    );
    expect(backend.approvalRequests).toHaveLength(1);
  });
});
