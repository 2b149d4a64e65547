import { mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { FakeApimCredentialsBackend } from '../__testUtils__/FakeApimCredentialsBackend';
import { exampleSteps } from '../__testUtils__/exampleSteps';
import {
  createApimCredentialsUnprovisionAction,
  UNPROVISION_ACTION_ID,
} from './unprovision';
import { unprovisionExamples } from './unprovision.examples';

// What the examples' forms would submit.
const parameters = { component: 'component:default/orders-service' };
const steps = exampleSteps(unprovisionExamples, UNPROVISION_ACTION_ID, {
  parameters,
  secrets: {},
});

describe('apim:credentials:unprovision examples', () => {
  it('every example has a step with the action', () => {
    expect(steps.length).toBeGreaterThanOrEqual(unprovisionExamples.length);
  });

  it.each(steps.map(s => [s.description, s] as const))(
    '%s',
    async (_description, step) => {
      const backend = new FakeApimCredentialsBackend();
      const environments = ([] as string[]).concat(
        step.input.environments as string | string[],
      );
      for (const env of environments) {
        backend.mappings.set(
          `component:default/orders-service|${env}|${step.input.keyManager}`,
          { consumerKey: `client-${env}`, keyMappingId: `km-${env}` },
        );
      }
      const action = createApimCredentialsUnprovisionAction({
        auth: mockServices.auth({ pluginId: 'scaffolder' }),
        discovery: mockServices.discovery(),
        fetch: backend.fetch,
      });
      const ctx = createMockActionContext({
        input: step.input as any,
        logger: mockServices.logger.mock(),
        task: { id: 'task-example' },
      });

      await action.handler(ctx);

      expect(backend.mappings.size).toBe(0);
      const outputs = Object.fromEntries((ctx.output as jest.Mock).mock.calls);
      expect(outputs.removed).toEqual(
        environments.map(env =>
          expect.objectContaining({
            environment: env,
            consumerKey: `client-${env}`,
            status: 'removed',
          }),
        ),
      );
    },
  );
});
