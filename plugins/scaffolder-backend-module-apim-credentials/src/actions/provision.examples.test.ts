import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { FakeApimCredentialsBackend } from '../__testUtils__/FakeApimCredentialsBackend';
import {
  actionOptions,
  outputs as outputsOf,
  taskContext,
} from '../__testUtils__/taskContext';
import { exampleSteps } from '../__testUtils__/exampleSteps';
import {
  createApimCredentialsProvisionAction,
  PROVISION_ACTION_ID,
} from './provision';
import { provisionExamples } from './provision.examples';

const SECRET = 'example-s3cret';
const PROD_SECRET = 'example-pr0d-s3cret';
const SECRETS = {
  consumerSecret: SECRET,
  'consumerSecret.production': PROD_SECRET,
};
const ENTITY = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders-service', namespace: 'default' },
  spec: {},
};
// What the examples' forms would submit.
const parameters = {
  component: 'component:default/orders-service',
  name: 'orders-service',
  environments: ['sandbox', 'production'],
  keyManager: 'IS',
  consumerKey: 'orders-client',
  // What an ApimClientsPicker field submits: one client per environment, secrets by name.
  clients: [
    {
      environment: 'sandbox',
      consumerKey: 'orders-client',
      secretName: 'consumerSecret',
    },
    {
      environment: 'production',
      consumerKey: 'orders-prod',
      secretName: 'consumerSecret.production',
    },
  ],
};
const KEYS: Record<string, [string, string]> = {
  sandbox: ['orders-client', SECRET],
  production: ['orders-prod', PROD_SECRET],
};
const steps = exampleSteps(provisionExamples, PROVISION_ACTION_ID, {
  parameters,
  secrets: SECRETS,
});

describe('apim:credentials:provision examples', () => {
  it('every example has a step with the action', () => {
    expect(steps.length).toBeGreaterThanOrEqual(provisionExamples.length);
  });

  it.each(steps.map(s => [s.description, s] as const))(
    '%s',
    async (_description, step) => {
      const backend = new FakeApimCredentialsBackend();
      const action = createApimCredentialsProvisionAction(
        actionOptions(
          backend.fetch,
          catalogServiceMock({ entities: [ENTITY] }),
        ),
      );
      const { ctx, logger } = taskContext(step.input, {
        secrets: SECRETS,
        taskId: 'task-example',
      });

      await action.handler(ctx);

      // One PUT per environment the example names, carrying its options; then the outputs.
      const clients = step.input.clients as
        | Array<{ environment: string }>
        | undefined;
      const environments = clients
        ? clients.map(c => c.environment)
        : ([] as string[]).concat(step.input.environments as string | string[]);
      const puts = backend.mutations;
      expect(puts.map(r => decodeURIComponent(r.url.pathname))).toEqual(
        environments.map(
          env =>
            `/api/apim-credentials/entities/component/default/orders-service/credentials/${env}/${step.input.keyManager}`,
        ),
      );
      for (const put of puts) {
        const env = decodeURIComponent(put.url.pathname).split('/').at(-2)!;
        expect(put.body).toEqual({
          consumerKey: KEYS[env][0],
          consumerSecret: KEYS[env][1],
          ...(step.input.verify !== undefined
            ? { verify: step.input.verify }
            : {}),
        });
        expect(put.url.searchParams.get('createApplication')).toBe(
          step.input.createApplication === false ? 'false' : null,
        );
      }
      const outputs = outputsOf(ctx);
      expect(
        outputs.mappings.map((m: { environment: string }) => m.environment),
      ).toEqual(environments);
      expect(outputs.applicationName).toBe('orders-service');
      expect(JSON.stringify(logger.info.mock.calls)).not.toContain(SECRET);
      expect(JSON.stringify(logger.info.mock.calls)).not.toContain(PROD_SECRET);
    },
  );
});
