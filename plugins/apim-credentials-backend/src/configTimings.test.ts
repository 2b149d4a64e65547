import { ConfigReader } from '@backstage/config';
import { readApimCredentialsConfig } from './config';
import { MINIMAL_APIM_CONFIG } from './__testUtils__/configFixtures';
import { warnAboutDeprecatedConfig } from './startupWarnings';

const valid = MINIMAL_APIM_CONFIG;
const root = (extra: object) =>
  new ConfigReader({ apimCredentials: { ...valid, ...extra } } as any);
const read = (extra: object) => readApimCredentialsConfig(root(extra));

function warnings(extra: object): string[] {
  const warn = jest.fn();
  warnAboutDeprecatedConfig(root(extra), { warn });
  return warn.mock.calls.map(([message]) => message);
}

describe('durations and schedule in Backstage types (issue 9)', () => {
  it('applies the documented defaults', () => {
    const config = read({});
    expect(config.retries).toEqual({ keyManagerNotLoadedMs: 10_000 });
    expect(config.cache).toEqual({
      keyManagersMs: 30_000,
      applicationsMs: 300_000,
    });
    expect(config.reconcile).toMatchObject({
      schedule: {
        frequency: { minutes: 5 },
        timeout: { minutes: 10 },
        initialDelay: { seconds: 30 },
        scope: 'global',
      },
      periodMs: 300_000,
      pendingAfterMs: 120_000,
      lateMappingWindowMs: 3600_000,
    });
    expect(config.instances[0].timeoutMs).toBe(15_000);
    expect(warnings({})).toEqual([]);
  });

  it('reads HumanDuration objects and strings (ISO 8601 and ms-style)', () => {
    const config = read({
      instances: [{ ...valid.instances[0], timeout: 'PT30S' }],
      retries: { keyManagerNotLoaded: '5s' },
      cache: { keyManagers: { minutes: 1 }, applications: 'PT10M' },
      reconcile: {
        schedule: {
          frequency: { minutes: 15 },
          timeout: 'PT20M',
          initialDelay: { minutes: 1 },
          scope: 'local',
        },
        pendingAfter: { minutes: 3 },
        lateMappingWindow: '2h',
      },
    });
    expect(config.instances[0].timeoutMs).toBe(30_000);
    expect(config.retries.keyManagerNotLoadedMs).toBe(5_000);
    expect(config.cache).toEqual({
      keyManagersMs: 60_000,
      applicationsMs: 600_000,
    });
    expect(config.reconcile).toMatchObject({
      schedule: {
        frequency: { minutes: 15 },
        timeout: { minutes: 20 },
        initialDelay: { minutes: 1 },
        scope: 'local',
      },
      periodMs: 900_000,
      pendingAfterMs: 180_000,
      lateMappingWindowMs: 7200_000,
    });
    expect(warnings({ reconcile: { pendingAfter: 'PT1M' } })).toEqual([]);
  });

  it('fills the parts of reconcile.schedule that are not given from the defaults', () => {
    expect(
      read({ reconcile: { schedule: { frequency: 'PT1M' } } }).reconcile,
    ).toMatchObject({
      schedule: {
        frequency: { minutes: 1 },
        timeout: { minutes: 10 },
        initialDelay: { seconds: 30 },
        scope: 'global',
      },
      periodMs: 60_000,
    });
  });

  it('still reads the numeric keys of the last release, with a warning naming the new key', () => {
    const old = {
      instances: [{ ...valid.instances[0], timeout: { seconds: 20 } }],
      retries: { keyManagerNotLoadedSeconds: 3 },
      cache: { keyManagersSeconds: 7, applicationsSeconds: 60 },
      reconcile: {
        frequencyMinutes: 10,
        pendingAfterSeconds: 30,
        lateMappingWindowMinutes: 90,
      },
    };
    const config = read(old);
    expect(config.instances[0].timeoutMs).toBe(20_000);
    expect(config.retries.keyManagerNotLoadedMs).toBe(3_000);
    expect(config.cache).toEqual({
      keyManagersMs: 7_000,
      applicationsMs: 60_000,
    });
    expect(config.reconcile).toMatchObject({
      schedule: { frequency: { minutes: 10 }, timeout: { minutes: 10 } },
      periodMs: 600_000,
      pendingAfterMs: 30_000,
      lateMappingWindowMs: 5_400_000,
    });
    expect(warnings(old)).toEqual([
      expect.stringMatching(
        /^apimCredentials\.retries\.keyManagerNotLoadedSeconds is deprecated .* use apimCredentials\.retries\.keyManagerNotLoaded instead, a duration such as \{ seconds: 3 \}\.$/,
      ),
      expect.stringContaining(
        'apimCredentials.reconcile.frequencyMinutes is deprecated and will be removed in the next release: use apimCredentials.reconcile.schedule.frequency instead, a duration such as { minutes: 10 }',
      ),
      expect.stringContaining('use apimCredentials.reconcile.pendingAfter'),
      expect.stringContaining(
        'use apimCredentials.reconcile.lateMappingWindow',
      ),
      expect.stringContaining('use apimCredentials.cache.keyManagers'),
      expect.stringContaining('use apimCredentials.cache.applications'),
    ]);
  });

  it('prefers the new key over the old one, and says the old one is ignored', () => {
    const both = {
      cache: { keyManagersSeconds: 7, keyManagers: { seconds: 40 } },
      reconcile: { frequencyMinutes: 10, schedule: { frequency: 'PT2M' } },
    };
    const config = read(both);
    expect(config.cache.keyManagersMs).toBe(40_000);
    expect(config.reconcile.periodMs).toBe(120_000);
    expect(warnings(both)).toEqual([
      expect.stringMatching(
        /reconcile\.frequencyMinutes is deprecated.*It is ignored because apimCredentials\.reconcile\.schedule\.frequency is set\.$/,
      ),
      expect.stringMatching(
        /cache\.keyManagersSeconds is deprecated.*It is ignored because apimCredentials\.cache\.keyManagers is set\.$/,
      ),
    ]);
  });

  it.each([
    [
      { retries: { keyManagerNotLoaded: 'soon' } },
      /retries\.keyManagerNotLoaded/,
    ],
    [
      { retries: { keyManagerNotLoaded: { minutes: 3 } } },
      /retries\.keyManagerNotLoaded: must be at most 120 seconds/,
    ],
    [
      { retries: { keyManagerNotLoadedSeconds: 121 } },
      /retries\.keyManagerNotLoadedSeconds: must be at most 120 seconds/,
    ],
    [
      { cache: { applications: { seconds: -1 } } },
      /cache\.applications: must not be negative/,
    ],
    [
      { reconcile: { schedule: { frequency: { cron: '*/5 * * * *' } } } },
      /reconcile\.schedule\.frequency: must be a duration/,
    ],
    [
      { reconcile: { schedule: { frequency: { trigger: 'manual' } } } },
      /reconcile\.schedule\.frequency: must be a duration/,
    ],
    [
      { reconcile: { schedule: { scope: 'everywhere' } } },
      /apimCredentials\.reconcile\.schedule: .*"global" or "local"/,
    ],
    [
      { reconcile: { schedule: { timeout: { fortnights: 1 } } } },
      /apimCredentials\.reconcile\.schedule: .*'timeout'/,
    ],
    [
      {
        reconcile: {
          schedule: { frequency: { hours: 2 } },
          checkEveryMappingWithin: { hours: 1 },
        },
      },
      /reconcile\.checkEveryMappingWithin: must be at least reconcile\.schedule\.frequency/,
    ],
    [
      { instances: [{ ...valid.instances[0], timeout: { minutes: 6 } }] },
      /instances\[0\]\.timeout: must be at most 300 seconds/,
    ],
  ])('fails at start-up on %j, naming the key', (extra, message) => {
    expect(() => read(extra)).toThrow(message);
  });
});
