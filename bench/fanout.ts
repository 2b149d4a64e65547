/**
 * Tab read fan-out: GET /entities/.../credentials with 2, 4 and 8 environments spread over two
 * API-M instances (two instance ids on the same emulator, so two token caches and two sets of
 * calls) and an added API-M latency on every request. Compared with the slowest single API-M
 * call the read makes, measured directly in the same run with the same latency.
 *
 * Steady state = caches warm (application ids 300 s, key managers 30 s): one API-M call per
 * instance. Also reported: the cold first read (application lookup, then keys) and reads with the
 * key manager cache expired (cache.keyManagers: 0 seconds), which happens once per 30 s per instance.
 */
import type { LocalStack } from '@internal/local-stack';
import { BarResult, QUICK, log, round, summary, timed } from './lib/common';
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
  coldFirstReadMs: number;
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
      const backend = await startPluginBackend({
        config: pluginConfig(stack, {
          instances: INSTANCES,
          environments: environments(c.environments),
          cache:
            c.keyManagerCache === 'expired'
              ? { keyManagers: { seconds: 0 } }
              : {},
        }),
        knex: db.knex,
        entities: [entity('bench-tab', APP)],
      });
      try {
        await bindApplications(backend, INSTANCES[0], [
          { applicationName: APP, entityName: 'bench-tab' },
        ]);
        await bindApplications(backend, INSTANCES[1], [
          { applicationName: APP, entityName: 'bench-tab' },
        ]);
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
        const cold = await timed(read);
        await read();
        const ms: number[] = [];
        for (let i = 0; i < reads; i++) ms.push((await timed(read)).ms);
        const s = summary(ms);
        const sc = summary(slowest);
        results.push({
          ...c,
          coldFirstReadMs: round(cold.ms),
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
  ];
}
