/**
 * Provisioning overhead: the same sequence of N provisions of fresh cells, once through
 * Backstage's REST API (PUT .../credentials/:env/:km over HTTP) and once straight against API-M's
 * map-keys, same emulator, same added latency on every API-M request. The two sequences are
 * interleaved (random order within each pair) so machine noise hits both alike.
 *
 * Both sides start warm, as in real use: the API-M applications exist, the direct client holds a
 * token and the application id; Backstage has read the entity's tab (which caches the
 * application id and key managers, as the product does) before the user clicks "provision".
 */
import type { LocalStack } from '@internal/local-stack';
import {
  BarResult,
  QUICK,
  log,
  prng,
  round,
  summary,
  timed,
} from './lib/common';
import {
  DbKind,
  DirectApim,
  createClients,
  entity,
  freshDatabase,
  pluginConfig,
  startPluginBackend,
} from './lib/stack';

export interface ProvisioningResult {
  db: string;
  n: number;
  latencyMs: number;
  backstage: ReturnType<typeof summary>;
  direct: ReturnType<typeof summary>;
  ratioP50: number;
  ratioP95: number;
  /** What Backstage adds per provision (p50 difference): HTTP, auth, catalog, permission, database. */
  overheadP50Ms: number;
  raw: { backstageMs: number[]; directMs: number[] };
}

export async function benchProvisioning(
  stack: LocalStack,
  dbKind: DbKind,
  latencyMs = 20,
): Promise<ProvisioningResult> {
  const n = QUICK ? 40 : 150;
  const warmup = 10;
  const total = n + warmup;
  const tag = `prov-${dbKind}`;
  log(
    `provisioning (${dbKind}): creating ${2 * total} clients and applications`,
  );
  await stack.emulator.control.clearFaults();
  const direct = await new DirectApim(stack.emulator.url, stack.tls.ca).init();
  const clients = await createClients(stack, `${tag}-c`, 2 * total);
  const names = Array.from({ length: total }, (_, i) => ({
    viaBackstage: `${tag}-b-${i}`,
    direct: `${tag}-d-${i}`,
  }));
  const appIds: string[] = [];
  for (const { viaBackstage, direct: d } of names) {
    await direct.createApplication(viaBackstage);
    appIds.push(await direct.createApplication(d));
  }

  const db = await freshDatabase(dbKind, 'bench_prov');
  const backend = await startPluginBackend({
    config: pluginConfig(stack),
    knex: db.knex,
    entities: names.map(x => entity(x.viaBackstage)),
  });
  try {
    // The user opens the entity's tab before provisioning: application id and key managers cached.
    for (const { viaBackstage } of names) {
      const res = await backend.request(
        'GET',
        `/entities/component/default/${viaBackstage}/credentials`,
      );
      if (res.status !== 200)
        throw new Error(`tab read ${res.status} ${res.text}`);
    }
    await stack.emulator.control.setFaults([{ type: 'latency', latencyMs }]);

    const random = prng(42);
    const backstageMs: number[] = [];
    const directMs: number[] = [];
    for (let i = 0; i < total; i++) {
      const viaBackstage = async () => {
        const c = clients[2 * i];
        const { ms, value } = await timed(() =>
          backend.request(
            'PUT',
            `/entities/component/default/${names[i].viaBackstage}/credentials/production/IS`,
            {
              consumerKey: c.clientId,
              consumerSecret: c.clientSecret,
            },
          ),
        );
        if (value.status !== 201)
          throw new Error(
            `provision via Backstage: ${value.status} ${value.text}`,
          );
        if (i >= warmup) backstageMs.push(ms);
      };
      const straight = async () => {
        const c = clients[2 * i + 1];
        const { ms } = await timed(() =>
          direct.mapKeys(appIds[i], {
            consumerKey: c.clientId,
            consumerSecret: c.clientSecret,
            keyManager: 'IS',
            keyType: 'PRODUCTION',
          }),
        );
        if (i >= warmup) directMs.push(ms);
      };
      if (random() < 0.5) {
        await viaBackstage();
        await straight();
      } else {
        await straight();
        await viaBackstage();
      }
    }
    const b = summary(backstageMs);
    const d = summary(directMs);
    return {
      db: db.label,
      n,
      latencyMs,
      backstage: b,
      direct: d,
      ratioP50: round(b.p50 / d.p50),
      ratioP95: round(b.p95 / d.p95),
      overheadP50Ms: round(b.p50 - d.p50),
      raw: {
        backstageMs: backstageMs.map(x => round(x)),
        directMs: directMs.map(x => round(x)),
      },
    };
  } finally {
    await stack.emulator.control.clearFaults();
    await backend.stop();
    await db.destroy();
    await direct.close();
  }
}

export function provisioningBars(results: ProvisioningResult[]): BarResult[] {
  return results.map(r => ({
    bar: `Provisioning overhead (${r.db}) at most 1.2x of map-keys (p50)`,
    pass: r.ratioP50 <= 1.2,
    detail: `p50 ${r.backstage.p50} ms vs ${r.direct.p50} ms = ${r.ratioP50}x (+${r.overheadP50Ms} ms); p95 ${r.backstage.p95} vs ${r.direct.p95} ms = ${r.ratioP95}x`,
  }));
}
