/**
 * Spreads the drift check over runs (issue 11, scale of the drift job): each run checks a slice
 * of every environment's mappings, continuing from where the last run stopped (a keyset position
 * kept in the database), sized so that every mapping is checked within
 * `reconcile.checkEveryMappingWithin`. Pages of {@link PAGE} rows keep memory flat at any mapping
 * count; a run stops at its deadline and leaves the rest to the next one.
 */
import type { EnvironmentConfig } from '../../config';
import type { PositionedMapping } from '../../database/ReconcileProgressStore';
import { DriftRunState, checkApplication } from './checkApplication';
import { InstanceSkippedError } from './InstanceGate';
import type { GatedApim, ReconcileDeps, ReconcileReport } from './types';

/** Mappings read per query. */
export const PAGE = 200;

/**
 * How many of `total` mappings a run checks. A run always does at least one period's share and
 * catches up on time missed since the last full slice (a restart, a run cut short), never more
 * than everything.
 *
 * @param sinceSettledMs - time since the last run that finished its slice; undefined: never
 */
export function sliceSize(
  total: number,
  sinceSettledMs: number | undefined,
  frequencyMs: number,
  windowMs: number,
): number {
  const elapsed = Math.min(
    Math.max(sinceSettledMs ?? frequencyMs, frequencyMs),
    windowMs,
  );
  return Math.min(total, Math.ceil((total * elapsed) / windowMs));
}

/** Consecutive mappings of one application, checked with one key listing. */
export function byApplication(
  page: PositionedMapping[],
): PositionedMapping[][] {
  const groups = new Map<string, PositionedMapping[]>();
  for (const p of page) {
    const key = `${p.mapping.instance}\u0000${p.mapping.applicationId}`;
    const group = groups.get(key);
    if (group) group.push(p);
    else groups.set(key, [p]);
  }
  return [...groups.values()];
}

/** Runs `fn` over `items` with at most `concurrency` in flight; the first rejection wins. */
export async function inPool<T>(
  items: T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/**
 * Checks this run's slice of one environment. Mappings in `alreadyChecked` (last run's suspects,
 * re-checked first) are not checked twice. The position is saved after every page; the slice
 * counts as done (`settledAt`) only when it was finished, so a slice cut short by the deadline or
 * a skipped instance is made up next run. A page interrupted by the instance's circuit is not
 * passed over.
 */
export async function checkEnvironmentSlice(
  deps: ReconcileDeps,
  env: EnvironmentConfig,
  apim: GatedApim,
  run: {
    now: Date;
    deadline: number;
    state: DriftRunState;
    alreadyChecked: Set<number>;
    report: ReconcileReport;
  },
): Promise<void> {
  const { reconcile } = deps.config;
  const progressStore = deps.stores.reconcileProgress;
  const progress = await progressStore.getProgress(env.id);
  const total = await progressStore.countMappings(env.id);
  const quota = sliceSize(
    total,
    progress.settledAt && run.now.getTime() - progress.settledAt.getTime(),
    reconcile.periodMs,
    reconcile.checkEveryMappingWithinMs,
  );
  let afterId = progress.afterId;
  let done = 0;
  let wrapped = false;
  while (done < quota) {
    if (Date.now() > run.deadline) {
      deps.logger.warn(
        `Drift check of environment "${env.id}" stopped at its deadline after ${done} of ${quota} mappings; the next run continues`,
      );
      await progressStore.saveProgress(env.id, { afterId });
      return;
    }
    const page = await progressStore.pageMappings(
      env.id,
      afterId,
      Math.min(PAGE, quota - done),
    );
    if (page.length === 0) {
      // End of the table: the pass starts over from the beginning.
      if (wrapped || afterId === 0) break;
      afterId = 0;
      wrapped = true;
      continue;
    }
    try {
      const fresh = page.filter(p => !run.alreadyChecked.has(p.id));
      await inPool(byApplication(fresh), reconcile.maxConcurrency, group =>
        checkApplication(deps, apim, group, run.state, run.report),
      );
    } catch (error) {
      if (!(error instanceof InstanceSkippedError)) throw error;
      await progressStore.saveProgress(env.id, { afterId });
      return;
    }
    // Calls already in flight when the circuit opened fail as ordinary faults: the page is
    // still unfinished.
    if (apim.isSkipped) {
      await progressStore.saveProgress(env.id, { afterId });
      return;
    }
    afterId = page[page.length - 1].id;
    done += page.length;
    await progressStore.saveProgress(env.id, { afterId });
  }
  await progressStore.saveProgress(env.id, { afterId, settledAt: run.now });
}
