/**
 * `waitForEntity`: a template that registers an entity with `catalog:register` and provisions its
 * client in the next step must wait until the catalog has processed the entity, otherwise the
 * backend answers 404 for an entity that is about to exist.
 */
import type {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('The task was cancelled'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      reject(new Error('The task was cancelled'));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Polls the catalog as the template's user (backing off from `pollMs`, default 0.5 s, up to 5 s)
 * until it returns the entity. Resolves `found: false` when the time is up: the caller decides
 * whether that is an error (in a dry run it is not, since the dry run of `catalog:register`
 * registers nothing). Rejects when the task is cancelled (`signal`).
 */
export async function waitForEntity(options: {
  catalog: CatalogService;
  entityRef: string;
  seconds: number;
  credentials: BackstageCredentials;
  logger: LoggerService;
  signal?: AbortSignal;
  pollMs?: number;
}): Promise<{ found: boolean; waitedMs: number }> {
  const started = Date.now();
  const deadline = started + options.seconds * 1000;
  let delay = options.pollMs ?? 500;
  let announced = false;
  for (;;) {
    const entity = await options.catalog.getEntityByRef(options.entityRef, {
      credentials: options.credentials,
    });
    if (entity) return { found: true, waitedMs: Date.now() - started };
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { found: false, waitedMs: Date.now() - started };
    if (!announced) {
      options.logger.info(
        `Waiting up to ${options.seconds} seconds for ${options.entityRef} to appear in the catalog`,
      );
      announced = true;
    }
    await sleep(Math.min(delay, remaining), options.signal);
    delay = Math.min(delay * 2, 5000);
  }
}

/** The parts of an action's context that the `waitForEntity` input is applied with. */
export type WaitingStepContext = {
  /** `waitForEntity`: seconds, 0 or absent: do not wait. */
  input: { waitForEntity?: number };
  isDryRun?: boolean;
  logger: LoggerService;
  signal?: AbortSignal;
};

/**
 * The step's `waitForEntity` input applied: waits (not in a dry run) for the entity and tells
 * whether it is still pending, which only a dry run may go on with.
 *
 * @throws InputError without a catalog service, or when the entity did not appear in time
 */
export async function entityPendingForStep(options: {
  catalog?: CatalogService;
  entityRef: string;
  credentials: BackstageCredentials;
  ctx: WaitingStepContext;
}): Promise<boolean> {
  const { catalog, entityRef, credentials, ctx } = options;
  const seconds = ctx.input.waitForEntity;
  const dryRun = ctx.isDryRun === true;
  if (!seconds) return false;
  if (!catalog) {
    throw new InputError(
      'waitForEntity needs the catalog service, which this action was created without',
    );
  }
  const { found } = await waitForEntity({
    catalog,
    entityRef,
    credentials,
    logger: ctx.logger,
    signal: ctx.signal,
    seconds: dryRun ? 0 : seconds,
  });
  if (!found && !dryRun) {
    throw new InputError(
      `${entityRef} did not appear in the catalog within ${seconds} seconds (or you may not see it). Check the catalog:register step, or raise waitForEntity`,
    );
  }
  return !found;
}

/**
 * The start of a step about `entityRef`: whether it is a dry run, the task initiator's
 * credentials (the backend is called on their behalf), and whether the entity is still pending
 * after the `waitForEntity` input was applied (entityPendingForStep, whose errors it throws).
 */
export async function beginStep(
  ctx: WaitingStepContext & {
    getInitiatorCredentials(): Promise<BackstageCredentials>;
  },
  catalog: CatalogService | undefined,
  entityRef: string,
): Promise<{
  dryRun: boolean;
  credentials: BackstageCredentials;
  entityPending: boolean;
}> {
  const dryRun = ctx.isDryRun === true;
  const credentials = await ctx.getInitiatorCredentials();
  const entityPending = await entityPendingForStep({
    catalog,
    entityRef,
    credentials,
    ctx,
  });
  return { dryRun, credentials, entityPending };
}

/**
 * What a dry run logs instead of waiting for an entity that is not in the catalog yet (the dry
 * run of `catalog:register` registers nothing): `Dry run: would wait up to <seconds> seconds for
 * <entityRef> to be in the catalog, then <then>`.
 */
export function dryRunWaitMessage(
  seconds: number | undefined,
  entityRef: string,
  then: string,
): string {
  return `Dry run: would wait up to ${seconds} seconds for ${entityRef} to be in the catalog, then ${then}`;
}
