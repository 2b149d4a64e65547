/**
 * Token requests: the emulator's count of POST /oauth2/token from a fresh backend's start (its
 * warm-up fetches the tokens) through 100 provisions run at once,
 * on a freshly started backend with two API-M instances (two ids on one emulator), 20 ms of
 * added latency so the requests really overlap. Then the same backend under continuous load
 * for three token lifetimes (the emulator's token lifetime shortened) to show refreshes stay at
 * one per instance per lifetime (the client refreshes 10% before expiry).
 */
import type { LocalStack } from '@internal/local-stack';
import { BarResult, QUICK, log, now, pool, round } from './lib/common';
import {
  createClients,
  entity,
  freshDatabase,
  pluginConfig,
  startPluginBackend,
} from './lib/stack';

const INSTANCES = ['apim-a', 'apim-b'];

export interface TokenResult {
  instances: number;
  concurrentProvisions: number;
  provisionStatuses: Record<string, number>;
  burstMs: number;
  tokenRequests: number;
  dcrRequests: number;
  apimRequests: number;
  sustained: {
    tokenLifetimeSeconds: number;
    durationMs: number;
    requests: number;
    tokenRequests: number;
    /** Per instance: one at start plus one per (0.9 x lifetime) elapsed. */
    allowed: number;
  };
}

export async function benchTokens(stack: LocalStack): Promise<TokenResult> {
  const concurrent = 100;
  const control = stack.emulator.control;
  await control.clearFaults();
  log(
    `token requests: ${concurrent} concurrent provisions over ${INSTANCES.length} instances`,
  );
  const clients = await createClients(stack, 'bench-tok', concurrent);
  const names = Array.from({ length: concurrent }, (_, i) => `bench-tok-${i}`);
  const db = await freshDatabase('sqlite', 'bench_tok');
  // From before the backend starts: its start-up warm-up fetches each instance's token
  // (services.ts warmUp), which the burst below then shares.
  const before = await control.stats();
  const backend = await startPluginBackend({
    config: pluginConfig(stack, {
      instances: INSTANCES,
      environments: INSTANCES.map(instance => ({
        id: `${instance}-prod`,
        instance,
        keyType: 'PRODUCTION',
        keyManagers: ['IS'],
      })),
    }),
    knex: db.knex,
    entities: names.map(n => entity(n)),
  });
  try {
    await control.setFaults([{ type: 'latency', latencyMs: 20 }]);
    const statuses: Record<string, number> = {};
    const start = now();
    // Each provision creates its entity's application (createIfMissing) and maps a fresh client.
    await Promise.all(
      names.map(async (name, i) => {
        const env = `${INSTANCES[i % 2]}-prod`;
        const res = await backend.request(
          'PUT',
          `/entities/component/default/${name}/credentials/${env}/IS`,
          {
            consumerKey: clients[i].clientId,
            consumerSecret: clients[i].clientSecret,
          },
        );
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }),
    );
    const burstMs = now() - start;
    const after = await control.stats();

    // Sustained load across token expiry: 100 workers reading tabs for three lifetimes.
    const lifetime = QUICK ? 3 : 5;
    await control.setConfig({ tokenLifetimeSeconds: lifetime });
    const sustainedBackend = await startPluginBackend({
      config: pluginConfig(stack, {
        instances: INSTANCES,
        environments: INSTANCES.map(instance => ({
          id: `${instance}-prod`,
          instance,
          keyType: 'PRODUCTION',
          keyManagers: ['IS'],
        })),
      }),
      knex: db.knex,
      entities: names.map(n => entity(n)),
    });
    let requests = 0;
    let sustainedStats;
    const sStart = now();
    try {
      const s0 = await control.stats();
      const durationMs = lifetime * 3 * 1000;
      await pool(names, concurrent, async name => {
        while (now() - sStart < durationMs) {
          const res = await sustainedBackend.request(
            'GET',
            `/entities/component/default/${name}/credentials`,
          );
          if (res.status !== 200)
            throw new Error(`tab read ${res.status} ${res.text}`);
          requests++;
        }
      });
      const elapsed = now() - sStart;
      const s1 = await control.stats();
      sustainedStats = {
        tokenLifetimeSeconds: lifetime,
        durationMs: round(elapsed, 0),
        requests,
        tokenRequests: s1.tokenRequests - s0.tokenRequests,
        allowed:
          INSTANCES.length * (1 + Math.floor(elapsed / (lifetime * 900))),
      };
    } finally {
      await sustainedBackend.stop();
      await control.setConfig({ tokenLifetimeSeconds: 3600 });
    }

    return {
      instances: INSTANCES.length,
      concurrentProvisions: concurrent,
      provisionStatuses: statuses,
      burstMs: round(burstMs, 0),
      tokenRequests: after.tokenRequests - before.tokenRequests,
      dcrRequests: after.dcrRequests - before.dcrRequests,
      apimRequests: after.total - before.total,
      sustained: sustainedStats,
    };
  } finally {
    await control.clearFaults();
    await backend.stop();
    await db.destroy();
  }
}

export function tokenBars(r: TokenResult): BarResult[] {
  const allCreated =
    (r.provisionStatuses['201'] ?? 0) === r.concurrentProvisions;
  return [
    {
      bar: 'Token requests: one per instance per token lifetime, also under 100 concurrent provisions',
      pass:
        allCreated &&
        r.tokenRequests <= r.instances &&
        r.sustained.tokenRequests <= r.sustained.allowed,
      detail: `${
        r.concurrentProvisions
      } concurrent provisions (${JSON.stringify(r.provisionStatuses)}) -> ${
        r.tokenRequests
      } token requests for ${r.instances} instances; ${
        r.sustained.requests
      } tab reads over ${round(r.sustained.durationMs / 1000, 1)} s with a ${
        r.sustained.tokenLifetimeSeconds
      } s token lifetime -> ${
        r.sustained.tokenRequests
      } token requests (allowed ${r.sustained.allowed})`,
    },
  ];
}
