/**
 * The durations and the job schedule of `apimCredentials`, in Backstage's own config types:
 * every duration is a `HumanDuration` object (`{ minutes: 5 }`) or a string (ISO 8601 `PT5M`, or
 * `5m`), read with `readDurationFromConfig`; the reconcile job's schedule is a
 * `SchedulerServiceTaskScheduleDefinitionConfig` read with Backstage's
 * `readSchedulerServiceTaskScheduleDefinitionFromConfig`.
 *
 * The numeric keys of earlier releases (`...Seconds`, `...Minutes`) are still read for one release
 * when their replacement is absent; {@link DEPRECATED_CONFIG_KEYS} lists them, and
 * startupWarnings.ts logs a warning naming the replacement for each one that is set.
 */
import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import {
  Config,
  ConfigReader,
  readDurationFromConfig,
} from '@backstage/config';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';

type Fail = (key: string, why: string) => never;

/** A key of earlier releases that still works for one release, and what replaces it. */
export interface DeprecatedConfigKey {
  /** Under `apimCredentials`, e.g. `reconcile.frequencyMinutes`. */
  key: string;
  /** Under `apimCredentials`, e.g. `reconcile.schedule.frequency`. */
  replacement: string;
  /** The unit of the old key's number. */
  unit: 'seconds' | 'minutes';
}

/** Every deprecated key, in the order the warnings are logged. */
export const DEPRECATED_CONFIG_KEYS: readonly DeprecatedConfigKey[] = [
  {
    key: 'retries.keyManagerNotLoadedSeconds',
    replacement: 'retries.keyManagerNotLoaded',
    unit: 'seconds',
  },
  {
    key: 'reconcile.frequencyMinutes',
    replacement: 'reconcile.schedule.frequency',
    unit: 'minutes',
  },
  {
    key: 'reconcile.pendingAfterSeconds',
    replacement: 'reconcile.pendingAfter',
    unit: 'seconds',
  },
  {
    key: 'reconcile.lateMappingWindowMinutes',
    replacement: 'reconcile.lateMappingWindow',
    unit: 'minutes',
  },
  {
    key: 'cache.keyManagersSeconds',
    replacement: 'cache.keyManagers',
    unit: 'seconds',
  },
  {
    key: 'cache.applicationsSeconds',
    replacement: 'cache.applications',
    unit: 'seconds',
  },
];

/** The reconcile job's schedule when `reconcile.schedule` (or a part of it) is not configured. */
const DEFAULT_SCHEDULE = {
  frequency: { minutes: 5 },
  timeout: { minutes: 10 },
  initialDelay: { seconds: 30 },
  scope: 'global',
};

/** The timing settings of ApimCredentialsConfig, all in milliseconds. */
export interface TimingSettings {
  /** Bounded retries of transient API-M answers (CONTRACT.md 14.1). */
  retries: { keyManagerNotLoadedMs: number };
  reconcile: {
    /** Passed as is to `scheduler.scheduleTask`. */
    schedule: SchedulerServiceTaskScheduleDefinition;
    /** `schedule.frequency` in ms: sizes the drift slices and each run's deadline. */
    periodMs: number;
    pendingAfterMs: number;
    lateMappingWindowMs: number;
    /** Every mapping's drift check is due within this many ms; runs split the work (drift/slices.ts). */
    checkEveryMappingWithinMs: number;
  };
  cache: { keyManagersMs: number; applicationsMs: number };
}

/**
 * Reads a duration at `key` (relative to `config`, the `apimCredentials` block), falling back to
 * the deprecated numeric key that it replaces, then to `fallback`.
 *
 * @throws via `fail` naming the key, for an unreadable or negative duration, 0 when `positive`,
 *   or one over `maxMs`
 */
function readDurationMs(
  config: Config,
  key: string,
  fallback: HumanDuration,
  fail: Fail,
  range: { positive?: boolean; maxMs?: number } = {},
): number {
  const old = DEPRECATED_CONFIG_KEYS.find(d => d.replacement === key);
  let ms: number;
  let from = key;
  if (config.has(key)) {
    try {
      ms = durationToMilliseconds(readDurationFromConfig(config, { key }));
    } catch (error) {
      return fail(key, (error as Error).message);
    }
  } else if (old && config.has(old.key)) {
    from = old.key;
    ms = durationToMilliseconds({ [old.unit]: config.getNumber(old.key) });
  } else {
    ms = durationToMilliseconds(fallback);
  }
  const { positive = false, maxMs = Infinity } = range;
  if (!(positive ? ms > 0 : ms >= 0)) {
    fail(from, positive ? 'must be more than 0' : 'must not be negative');
  }
  if (ms > maxMs) fail(from, `must be at most ${maxMs / 1000} seconds`);
  return ms;
}

/**
 * The reconcile job's schedule: `reconcile.schedule` over the defaults (every 5 minutes, 10
 * minutes timeout, 30 seconds initial delay, global scope), or the deprecated
 * `reconcile.frequencyMinutes`. The frequency must be a duration, not a cron expression or a
 * manual trigger, because the drift job divides its work by it.
 */
function readSchedule(
  config: Config,
  fail: Fail,
): { schedule: SchedulerServiceTaskScheduleDefinition; periodMs: number } {
  const key = 'reconcile.schedule';
  const given = config.getOptionalConfig(key);
  const old = config.getOptionalNumber('reconcile.frequencyMinutes');
  const data = {
    ...DEFAULT_SCHEDULE,
    ...(old !== undefined ? { frequency: { minutes: old } } : {}),
    ...given?.get<object>(),
  };
  let schedule: SchedulerServiceTaskScheduleDefinition;
  try {
    schedule = readSchedulerServiceTaskScheduleDefinitionFromConfig(
      new ConfigReader(data, `apimCredentials.${key}`),
    );
  } catch (error) {
    return fail(key, (error as Error).message);
  }
  const { frequency } = schedule;
  if ('cron' in frequency || 'trigger' in frequency) {
    return fail(
      `${key}.frequency`,
      'must be a duration (e.g. { minutes: 5 } or PT5M): the drift check spreads its work over the runs by it',
    );
  }
  const periodMs = durationToMilliseconds(frequency as HumanDuration);
  if (!(periodMs >= 1000)) {
    fail(
      given?.has('frequency')
        ? `${key}.frequency`
        : 'reconcile.frequencyMinutes',
      'must be at least one second',
    );
  }
  return { schedule, periodMs };
}

/**
 * Reads the retries, cache and reconcile timings of the `apimCredentials` block.
 *
 * @throws via `fail`, naming the key, for a value that is not a duration or out of range
 */
export function readTimingSettings(config: Config, fail: Fail): TimingSettings {
  const { schedule, periodMs } = readSchedule(config, fail);
  const checkKey = 'reconcile.checkEveryMappingWithin';
  const checkEveryMappingWithinMs = readDurationMs(
    config,
    checkKey,
    { days: 1 },
    fail,
  );
  if (!(checkEveryMappingWithinMs >= periodMs)) {
    fail(checkKey, 'must be at least reconcile.schedule.frequency');
  }
  return {
    retries: {
      keyManagerNotLoadedMs: readDurationMs(
        config,
        'retries.keyManagerNotLoaded',
        { seconds: 10 },
        fail,
        { maxMs: 120_000 },
      ),
    },
    reconcile: {
      schedule,
      periodMs,
      pendingAfterMs: readDurationMs(
        config,
        'reconcile.pendingAfter',
        { minutes: 2 },
        fail,
      ),
      lateMappingWindowMs: readDurationMs(
        config,
        'reconcile.lateMappingWindow',
        { hours: 1 },
        fail,
      ),
      checkEveryMappingWithinMs,
    },
    cache: {
      keyManagersMs: readDurationMs(
        config,
        'cache.keyManagers',
        { seconds: 30 },
        fail,
      ),
      applicationsMs: readDurationMs(
        config,
        'cache.applications',
        { minutes: 5 },
        fail,
      ),
    },
  };
}

/**
 * An instance's per-call timeout (`instances[].timeout`); `{ seconds: 15 }`, the shape of earlier
 * releases, is itself a HumanDuration, so it needs no deprecation.
 */
export function readInstanceTimeoutMs(
  instance: Config,
  key: string,
  fail: Fail,
): number {
  return readDurationMs(
    instance,
    'timeout',
    { seconds: 15 },
    (k, why) => fail(`${key}.${k}`, why),
    { positive: true, maxMs: 300_000 },
  );
}
