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
  median,
  prng,
  round,
  summary,
  timed,
} from './lib/common';
import type { CallCounts, RecordedCall } from './lib/calls';
import {
  DbKind,
  DirectApim,
  bindApplications,
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
  /**
   * One request to Backstage that does nothing (`GET /environments`: the HTTP hop, Backstage's
   * middleware and credentials, the router), timed before each pair: the part of the overhead
   * that any call through a Backstage backend pays, whatever the plugin does.
   */
  hop: ReturnType<typeof summary>;
  /**
   * What one provisioning makes besides the map-keys call (the median over the measured ones;
   * they are all alike): database statements and round trips, catalog and permission calls
   * (internal HTTP calls in a real deployment) and API-M requests.
   */
  perProvision: CallCounts & { apimRequests: number };
  /**
   * From the last statement before map-keys to the transaction after it: the API-M call as the
   * plugin makes it (its HTTP client, token, retries), to compare with the direct call.
   */
  apimPhase: ReturnType<typeof summary>;
  /** From the request to the end of the last statement before map-keys (the gate, the pending row, the lock). */
  beforeApim: ReturnType<typeof summary>;
  /** From the write after map-keys to the answer in the client's hands. */
  afterApim: ReturnType<typeof summary>;
  /**
   * CPU time of this process (the backend and the bench's client; API-M and the key manager are
   * child processes) per provisioning through Backstage, the work after the answer included, and
   * per direct call (the client alone): what a busy machine stretches, since a request waits for
   * a core for every millisecond of it.
   */
  cpuMs: {
    backstage: ReturnType<typeof summary>;
    direct: ReturnType<typeof summary>;
  };
  /** The calls of one measured provisioning, in order, with start and end (ms from the request). */
  trace: RecordedCall[];
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
    // The applications existed before Backstage: the platform team binds them (issue 10 item 1).
    await bindApplications(
      backend,
      'local',
      names.map(x => ({
        applicationName: x.viaBackstage,
        entityName: x.viaBackstage,
      })),
    );
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

    const profiler = process.env.BENCH_PROFILE
      ? await startProfile()
      : undefined;
    const random = prng(42);
    const backstageMs: number[] = [];
    const directMs: number[] = [];
    const counts: Array<CallCounts & { apimRequests: number }> = [];
    let trace: RecordedCall[] = [];
    const apimPhaseMs: number[] = [];
    const cpuBackstage: number[] = [];
    const cpuDirect: number[] = [];
    const hopMs: number[] = [];
    const beforeMs: number[] = [];
    const afterMs: number[] = [];
    const cpuSince = (start: NodeJS.CpuUsage) => {
      const used = process.cpuUsage(start);
      return (used.user + used.system) / 1000;
    };
    for (let i = 0; i < total; i++) {
      const viaBackstage = async () => {
        const c = clients[2 * i];
        const apimBefore = (await stack.emulator.control.stats()).total;
        const window = backend.calls.window();
        const cpuStart = process.cpuUsage();
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
        // The lock's release runs after the answer; it is counted, as off the critical path.
        await backend.calls.settled();
        const cpuMs = cpuSince(cpuStart);
        const recorded = window();
        const apimRequests =
          (await stack.emulator.control.stats()).total - apimBefore;
        // The wait around the map-keys call as Backstage sees it: from the last statement before
        // it to the write after it (API-M, the plugin's HTTP client, the key manager check). That
        // write is a transaction's BEGIN, or on PostgreSQL one `with recorded as (...)` statement.
        const begin = recorded.calls.find(
          c => c.kind === 'db' && /^(begin|with recorded as)/i.test(c.what),
        );
        const before = recorded.calls.filter(
          c => begin && c.kind === 'db' && (c.endMs ?? 0) <= begin.startMs,
        );
        if (i >= warmup && begin && before.length) {
          const lastBefore = Math.max(...before.map(c => c.endMs ?? 0));
          apimPhaseMs.push(begin.startMs - lastBefore);
          beforeMs.push(lastBefore);
          afterMs.push(ms - begin.startMs);
        }
        if (i >= warmup) {
          backstageMs.push(ms);
          cpuBackstage.push(cpuMs);
          counts.push({ ...recorded.counts, apimRequests });
          if (i === total - 1) trace = recorded.calls;
        }
      };
      const straight = async () => {
        const c = clients[2 * i + 1];
        const cpuStart = process.cpuUsage();
        const { ms } = await timed(() =>
          direct.mapKeys(appIds[i], {
            consumerKey: c.clientId,
            consumerSecret: c.clientSecret,
            keyManager: 'IS',
            keyType: 'PRODUCTION',
          }),
        );
        if (i >= warmup) {
          directMs.push(ms);
          cpuDirect.push(cpuSince(cpuStart));
        }
      };
      const hop = await timed(() => backend.request('GET', '/environments'));
      if (i >= warmup) hopMs.push(hop.ms);
      if (random() < 0.5) {
        await viaBackstage();
        await straight();
      } else {
        await straight();
        await viaBackstage();
      }
    }
    if (profiler) await profiler.stop(`${process.env.BENCH_PROFILE}-${dbKind}`);
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
      hop: summary(hopMs),
      perProvision: medianCounts(counts),
      apimPhase: summary(apimPhaseMs),
      beforeApim: summary(beforeMs),
      afterApim: summary(afterMs),
      cpuMs: { backstage: summary(cpuBackstage), direct: summary(cpuDirect) },
      trace,
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

/** Each field's median over the provisionings (they make the same calls; a retry would show). */
function medianCounts<T extends object>(rows: T[]): T {
  const keys = Object.keys(rows[0] ?? {}) as Array<keyof T>;
  return Object.fromEntries(
    keys.map(k => [k, median(rows.map(r => r[k] as unknown as number))]),
  ) as T;
}

/** Issue 9: 1.10x of the direct map-keys call at p50, on every database, on a busy machine. */
export const PROVISIONING_BAR = 1.1;

export function provisioningBars(results: ProvisioningResult[]): BarResult[] {
  return results.map(r => {
    const c = r.perProvision;
    return {
      bar: `Provisioning overhead (${r.db}) at most ${PROVISIONING_BAR}x of map-keys (p50)`,
      pass: r.ratioP50 <= PROVISIONING_BAR,
      detail: `p50 ${r.backstage.p50} ms vs ${r.direct.p50} ms = ${r.ratioP50}x (+${r.overheadP50Ms} ms, of which ${r.hop.p50} ms a request to Backstage that does nothing); p95 ${r.backstage.p95} vs ${r.direct.p95} ms = ${r.ratioP95}x; the request's phases p50: ${r.beforeApim.p50} ms before the map-keys call, ${r.apimPhase.p50} ms around it, ${r.afterApim.p50} ms after it; CPU of the backend's process p50 ${r.cpuMs.backstage.p50} ms per provisioning (the direct call's client ${r.cpuMs.direct.p50} ms); per provisioning ${c.dbRoundTrips} sequential database round trips (${c.dbStatements} statements, ${c.dbRoundTripsOffPath} after the answer; ${c.dbBusyMs} ms waiting for the database), ${c.catalogCalls} catalog + ${c.permissionCalls} permission calls (${c.internalRoundTrips} sequential), ${c.apimRequests} API-M request(s)`,
    };
  });
}

/**
 * BENCH_PROFILE=<file prefix>: a CPU profile of the measured provisionings (this process runs the
 * backend and both clients), written as <prefix>-<database>.cpuprofile for Chrome's DevTools.
 */
async function startProfile() {
  const { Session } = await import('node:inspector/promises');
  const { writeFile } = await import('node:fs/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(prefix: string) {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(`${prefix}.cpuprofile`, JSON.stringify(profile));
      session.disconnect();
    },
  };
}
