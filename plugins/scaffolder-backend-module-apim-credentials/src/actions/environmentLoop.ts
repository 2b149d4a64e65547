/**
 * The per-environment loop both actions share: one cell per environment, in the order the
 * template gave, carrying on after a failure so that the template author learns which
 * environments succeeded and which failed (PRODUCT.md section 6).
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import { Cell } from './cell';
import { CellFailure, describeFailure } from './failures';

/** One failed environment and why. */
export interface EnvironmentFailure {
  environment: string;
  failure: CellFailure;
}

/**
 * Runs `run` for each environment in turn. A rejection is described (see `describeFailure`),
 * logged as an error as it happens and collected; it never stops the loop. The caller emits its
 * outputs for `succeeded` and then throws `toError(failures, ...)` if any failed.
 *
 * @param sensitive - values scrubbed from the failure messages (the consumer secret)
 */
export async function forEachEnvironment<T>(options: {
  entityRef: string;
  keyManager: string;
  environments: string[];
  operation: 'provision' | 'unprovision';
  logger: LoggerService;
  sensitive?: Array<string | undefined>;
  run: (cell: Cell) => Promise<T>;
}): Promise<{ succeeded: T[]; failures: EnvironmentFailure[] }> {
  const succeeded: T[] = [];
  const failures: EnvironmentFailure[] = [];
  for (const environment of options.environments) {
    const cell: Cell = {
      entityRef: options.entityRef,
      environment,
      keyManager: options.keyManager,
    };
    try {
      succeeded.push(await options.run(cell));
    } catch (error) {
      const failure = describeFailure(
        error,
        cell,
        options.operation,
        options.sensitive ?? [],
      );
      options.logger.error(failure.message);
      failures.push({ environment, failure });
    }
  }
  return { succeeded, failures };
}
