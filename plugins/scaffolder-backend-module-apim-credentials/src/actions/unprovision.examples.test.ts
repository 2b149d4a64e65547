import { FakeApimCredentialsBackend } from '../__testUtils__/FakeApimCredentialsBackend';
import {
  actionOptions,
  outputs as outputsOf,
  taskContext,
} from '../__testUtils__/taskContext';
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
      const action = createApimCredentialsUnprovisionAction(
        actionOptions(backend.fetch),
      );
      const { ctx } = taskContext(step.input, { taskId: 'task-example' });

      await action.handler(ctx);

      expect(backend.mappings.size).toBe(0);
      const outputs = outputsOf(ctx);
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
