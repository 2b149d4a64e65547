/**
 * A scaffolder task context for running an action's handler in a test, with checkpoints that
 * behave like the scaffolder's: a value is kept only when the checkpoint's function returns, and
 * replayed (its function not called) when a run is given the state of an earlier one.
 */
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import type {
  ApimCredentialsActionOptions,
  FetchLike,
} from '../actions/backendClient';

/**
 * What an action factory gets in these tests: mock auth (as the scaffolder plugin) and
 * discovery, the backend's `fetch` (a fake backend's, or one failing on purpose) and, for
 * `waitForEntity`, a catalog.
 */
export function actionOptions(
  fetch: FetchLike,
  catalog?: ApimCredentialsActionOptions['catalog'],
): ApimCredentialsActionOptions {
  return {
    auth: mockServices.auth({ pluginId: 'scaffolder' }),
    discovery: mockServices.discovery(),
    fetch,
    ...(catalog ? { catalog } : {}),
  };
}

/** How a test's task differs from the default one (task id `task-123`, not a dry run). */
export interface TaskContextOptions {
  isDryRun?: boolean;
  /** The checkpoint state: share one map between runs to replay; default a new, empty one. */
  checkpoints?: Map<string, unknown>;
  /** The task's secrets (`ctx.secrets`); default none. */
  secrets?: Record<string, string>;
  taskId?: string;
  /** The user entity ref `getInitiatorCredentials` answers with; default the mock user. */
  user?: string;
}

/**
 * The context and what a test reads back from it: the mock logger, the checkpoint state, the
 * checkpoint keys asked for and values computed (in order), the outputs by name, and every log
 * call as one JSON string (for "never logs the secret" checks).
 */
export interface TaskRun {
  ctx: ReturnType<typeof createMockActionContext<any, any>>;
  logger: ReturnType<typeof mockServices.logger.mock>;
  checkpoints: Map<string, unknown>;
  checkpointKeys: string[];
  checkpointValues: unknown[];
  outputs(): Record<string, any>;
  logged(): string;
}

/** A task running the handler on `input`, as `options` say (see TaskRun). */
export function taskContext(
  input: object,
  options: TaskContextOptions = {},
): TaskRun {
  const logger = mockServices.logger.mock();
  const checkpoints = options.checkpoints ?? new Map<string, unknown>();
  const checkpointKeys: string[] = [];
  const checkpointValues: unknown[] = [];
  const base = createMockActionContext({
    input: input as any,
    logger,
    secrets: options.secrets,
    task: { id: options.taskId ?? 'task-123' },
  });
  const checkpoint = async (opts: {
    key: string;
    fn: () => Promise<unknown> | unknown;
  }) => {
    checkpointKeys.push(opts.key);
    if (checkpoints.has(opts.key)) return checkpoints.get(opts.key);
    const value = await opts.fn();
    checkpoints.set(opts.key, value);
    checkpointValues.push(value);
    return value;
  };
  const ctx = {
    ...base,
    isDryRun: options.isDryRun,
    checkpoint,
    ...(options.user
      ? {
          getInitiatorCredentials: async () =>
            mockCredentials.user(options.user),
        }
      : {}),
  } as typeof base;
  return {
    ctx,
    logger,
    checkpoints,
    checkpointKeys,
    checkpointValues,
    outputs: () => outputs(ctx),
    logged: () => everythingLogged(logger),
  };
}

/**
 * `taskContext` whose task has `secrets` unless a test gives its own (even `{}`): the tests of
 * an action that reads the consumer secret from the task's secrets.
 */
export function taskContextWithSecrets(
  secrets: Record<string, string>,
): (input: object, options?: TaskContextOptions) => TaskRun {
  return (input: object, options: TaskContextOptions = {}) =>
    taskContext(input, { ...options, secrets: options.secrets ?? secrets });
}

/** The handler's outputs so far, by name (the last value of a name written twice). */
export function outputs(ctx: { output: unknown }): Record<string, any> {
  return Object.fromEntries((ctx.output as jest.Mock).mock.calls);
}

/** Every call of the mock logger, at every level and `child`, as one JSON string. */
export function everythingLogged(
  logger: ReturnType<typeof mockServices.logger.mock>,
): string {
  return JSON.stringify([
    logger.info.mock.calls,
    logger.warn.mock.calls,
    logger.error.mock.calls,
    logger.debug.mock.calls,
    logger.child.mock.calls,
  ]);
}

/** The provision action's input: orders-service's client `consumerKey` at the IS key manager. */
export function provisionInput(
  consumerKey: string,
  consumerSecret: string,
  environments: string[] = ['sandbox'],
) {
  return {
    entityRef: 'component:default/orders-service',
    environments,
    keyManager: 'IS',
    consumerKey,
    consumerSecret,
  };
}
