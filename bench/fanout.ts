/**
 * Tab read fan-out: GET /entities/.../credentials with 2, 4 and 8 environments spread over two
 * API-M instances (two instance ids on the same emulator, so two token caches and two sets of
 * calls) and an added API-M latency on every request. Compared with the slowest single API-M
 * call the read makes, measured directly in the same run with the same latency.
 *
 * Steady state = caches warm (application ids 300 s, key managers 30 s): one API-M call per
 * instance. Also reported: the cold first read (application lookup and keys at once) and reads with the
 * key manager cache expired (cache.keyManagers: 0 seconds), which happens once per 30 s per instance.
 */
import type { LocalStack } from '@internal/local-stack';
import {
  BarResult,
  QUICK,
  log,
  now,
  round,
  summary,
  timed,
} from './lib/common';
import {
  DirectApim,
  bindApplications,
  createClients,
  entity,
  freshDatabase,
  pluginConfig,
  startPluginBackend,
} from './lib/stack';

const INSTANCES = ['apim-a', 'apim-b'];
const APP = 'bench-tab-app';

export interface FanoutCase {
  environments: number;
  latencyMs: number;
  keyManagerCache: 'warm' | 'expired';
  /** The first read after start-up, once the start-up warm-up has fetched token and key managers. */
  coldFirstReadMs: number;
  coldRatioToSlowestCall: number;
  /** From the start of the backend until API-M answered every instance's key-manager listing. */
  warmUpMs: number;
  read: ReturnType<typeof summary>;
  slowestCall: ReturnType<typeof summary>;
  ratioToSlowestCall: number;
  raw: number[];
}

function environments(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    id: `env-${i}`,
    instance: INSTANCES[i % 2],
    keyType: (Math.floor(i / 2) % 2 === 0 ? 'SANDBOX' : 'PRODUCTION') as
      | 'SANDBOX'
      | 'PRODUCTION',
    keyManagers: ['IS'],
  }));
}

export async function benchFanout(stack: LocalStack): Promise<FanoutCase[]> {
  const reads = QUICK ? 10 : 25;
  await stack.emulator.control.clearFaults();
  const direct = await new DirectApim(stack.emulator.url, stack.tls.ca).init();
  // The entity's application with both key types mapped, so the tab has something to show.
  const appId = await direct.createApplication(APP);
  const [sandbox, production] = await createClients(stack, 'bench-tab', 2);
  await direct.mapKeys(appId, {
    ...toMap(sandbox),
    keyManager: 'IS',
    keyType: 'SANDBOX',
  });
  await direct.mapKeys(appId, {
    ...toMap(production),
    keyManager: 'IS',
    keyType: 'PRODUCTION',
  });

  const cases: Array<{
    environments: number;
    latencyMs: number;
    keyManagerCache: 'warm' | 'expired';
  }> = [
    { environments: 2, latencyMs: 50, keyManagerCache: 'warm' },
    { environments: 4, latencyMs: 50, keyManagerCache: 'warm' },
    { environments: 8, latencyMs: 50, keyManagerCache: 'warm' },
    { environments: 8, latencyMs: 100, keyManagerCache: 'warm' },
    { environments: 8, latencyMs: 50, keyManagerCache: 'expired' },
  ];
  const results: FanoutCase[] = [];
  try {
    for (const c of cases) {
      log(
        `fan-out: ${c.environments} environments, ${c.latencyMs} ms, key manager cache ${c.keyManagerCache}`,
      );
      await stack.emulator.control.setFaults([
        { type: 'latency', latencyMs: c.latencyMs },
      ]);
      // The slowest single API-M call of a read: each of the three it can make, measured directly.
      const perCall: Record<string, number[]> = {
        keys: [],
        application: [],
        keyManagers: [],
      };
      for (let i = 0; i < reads; i++) {
        perCall.keys.push(
          (
            await timed(() =>
              direct.devportal('GET', `/applications/${appId}/oauth-keys`),
            )
          ).ms,
        );
        perCall.application.push(
          (
            await timed(() =>
              direct.devportal(
                'GET',
                `/applications?query=${APP}&limit=100&offset=0`,
              ),
            )
          ).ms,
        );
        perCall.keyManagers.push(
          (await timed(() => direct.devportal('GET', '/key-managers'))).ms,
        );
      }
      const slowest = Object.values(perCall).sort(
        (a, b) => summary(b).p50 - summary(a).p50,
      )[0];

      const db = await freshDatabase('sqlite', 'bench_tab');
      const config = pluginConfig(stack, {
        instances: INSTANCES,
        environments: environments(c.environments),
        cache:
          c.keyManagerCache === 'expired'
            ? { keyManagers: { seconds: 0 } }
            : {},
      });
      // The platform team bound the application earlier, from another backend process: the
      // measured backend starts with cold caches, as after a deployment.
      const binder = await startPluginBackend({
        config,
        knex: db.knex,
        entities: [entity('bench-tab', APP)],
      });
      for (const instance of INSTANCES) {
        await bindApplications(binder, instance, [
          { applicationName: APP, entityName: 'bench-tab' },
        ]);
      }
      await binder.stop();
      const kmRoute = 'GET /api/am/devportal/v3/key-managers';
      const kmListings = async () =>
        (await stack.emulator.control.stats()).byRoute[kmRoute] ?? 0;
      const listingsBefore = await kmListings();
      const startedAt = now();
      const backend = await startPluginBackend({
        config,
        knex: db.knex,
        entities: [entity('bench-tab', APP)],
      });
      try {
        // The start-up warm-up (services.ts warmUp): wait until API-M has answered each
        // instance's key-manager listing, i.e. the REST token and the listing are cached.
        while (
          (await kmListings()) < listingsBefore + INSTANCES.length &&
          now() - startedAt < 15_000
        )
          await new Promise(r => setTimeout(r, 10));
        const warmUpMs = now() - startedAt;
        await new Promise(r => setTimeout(r, 20));
        const read = async () => {
          const res = await backend.request(
            'GET',
            '/entities/component/default/bench-tab/credentials',
          );
          if (res.status !== 200)
            throw new Error(`tab read ${res.status} ${res.text}`);
          const body = JSON.parse(res.text) as {
            environments: Array<{ error?: string }>;
          };
          if (
            body.environments.length !== c.environments ||
            body.environments.some(e => e.error)
          ) {
            throw new Error(`unexpected tab read ${res.text.slice(0, 300)}`);
          }
        };
        // The first read after start-up: the application lookup and, by the id recorded as bound,
        // its keys at once (CredentialsReader); the token and key managers are warm.
        const cold = await timed(read);
        await read();
        const ms: number[] = [];
        for (let i = 0; i < reads; i++) ms.push((await timed(read)).ms);
        const s = summary(ms);
        const sc = summary(slowest);
        results.push({
          ...c,
          coldFirstReadMs: round(cold.ms),
          coldRatioToSlowestCall: round(cold.ms / sc.p50),
          warmUpMs: round(warmUpMs, 0),
          read: s,
          slowestCall: sc,
          ratioToSlowestCall: round(s.p50 / sc.p50),
          raw: ms.map(x => round(x)),
        });
      } finally {
        await backend.stop();
        await db.destroy();
      }
    }
  } finally {
    await stack.emulator.control.clearFaults();
    await direct.close();
  }
  return results;
}

function toMap(c: { clientId: string; clientSecret: string }) {
  return { consumerKey: c.clientId, consumerSecret: c.clientSecret };
}

export function fanoutBars(results: FanoutCase[]): BarResult[] {
  const warm50 = results.filter(
    r => r.latencyMs === 50 && r.keyManagerCache === 'warm',
  );
  const two = warm50.find(r => r.environments === 2)!;
  const eight = warm50.find(r => r.environments === 8)!;
  const eight100 = results.find(
    r => r.latencyMs === 100 && r.keyManagerCache === 'warm',
  )!;
  const growthWithEnvs = round(eight.read.p50 / two.read.p50);
  const growthWithLatency = round(eight100.read.p50 / eight.read.p50);
  const worstRatio = Math.max(...warm50.map(r => r.ratioToSlowestCall));
  const expired = results.find(r => r.keyManagerCache === 'expired');
  const worstCold = Math.max(...results.map(r => r.coldRatioToSlowestCall));
  return [
    {
      bar: 'Tab read grows with the slowest API-M call, not with the number of environments',
      // Parallel: 8 environments cost about what 2 do, and each read stays near one API-M call.
      pass: growthWithEnvs <= 1.2 && worstRatio <= 1.5,
      detail: `p50 read / slowest call p50: ${warm50
        .map(r => `${r.environments} envs ${r.ratioToSlowestCall}x`)
        .join(
          ', ',
        )}; 8 vs 2 environments ${growthWithEnvs}x; 50 -> 100 ms latency ${growthWithLatency}x (8 envs)${
        expired
          ? `; with the key manager cache expired (once per 30 s per instance) ${expired.ratioToSlowestCall}x`
          : ''
      }`,
    },
    {
      bar: `First tab read after start-up within ${FIRST_READ_BAR}x of the slowest API-M call (token and key managers warmed at start-up)`,
      pass: worstCold <= FIRST_READ_BAR,
      detail: `first read / slowest call p50: ${results
        .map(
          r =>
            `${r.environments} envs ${r.latencyMs} ms ${r.coldRatioToSlowestCall}x (${r.coldFirstReadMs} ms)`,
        )
        .join(', ')}; warm-up done ${Math.min(
        ...results.map(r => r.warmUpMs),
      )}–${Math.max(
        ...results.map(r => r.warmUpMs),
      )} ms after the backend's start`,
    },
  ];
}

/** Issue 9: the first read after start-up within 1.5x of the slowest API-M call (was 4x). */
export const FIRST_READ_BAR = 1.5;
