/**
 * The drift job at scale (issue 11, "Scale of the drift job"): 10,000 and 100,000 mapped
 * applications, SQLite (file) and PostgreSQL, 50 ms added to every API-M request (the emulator's
 * latency fault), the job's default settings (a run every 5 minutes, every mapping checked within
 * a day, at most 4 calls in flight and 10 started per second per instance).
 *
 * One run of the job in a separate process (bench/driftChild.ts, built with the plugin's own
 * services factory) per size and database. Measured: the run's duration against its period, the
 * API-M requests (the emulator's counters) and the most of the job's own started within any
 * second (the plugin's HTTP client's request events; the REST token's two are not the job's), the database statements and sequential round trips (bench/lib/calls.ts), the mappings
 * checked, and the child's peak RSS above its baseline after seeding (a GC first).
 */
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { startLocalStack } from '@internal/local-stack';
import { BarResult, QUICK, log, now, round } from './lib/common';
import { DbKind, PG_URL, SERVICE_ACCOUNT, freshDatabase } from './lib/stack';
import { writeDriftState } from './lib/driftSeed';
import type { DriftChildArgs } from './driftChild';

const PERIOD_MINUTES = 5;
const MAX_RPS = 10;
const MAX_CONCURRENCY = 4;
const LATENCY_MS = 50;

export interface DriftCase {
  db: string;
  mappings: number;
  latencyMs: number;
  periodSeconds: number;
  maxRequestsPerSecond: number;
  seedSeconds: number;
  runSeconds: number;
  checked: number;
  drifted: number;
  apimRequests: number;
  apimByRoute: Record<string, number>;
  /** The most of the job's API-M requests (token requests aside) started within any one second. */
  peakRequestsPerSecond: number;
  /** The job's API-M requests per second over the whole run. */
  meanRequestsPerSecond: number;
  dbStatements: number;
  dbRoundTrips: number;
  rssBeforeMb: number;
  peakRssMb: number;
  /** Peak RSS above the baseline taken after seeding. */
  rssGrowthMb: number;
  peakHeapUsedMb: number;
  /** A full pass at the request cap: one key listing per application, `mappings / cap` seconds. */
  fullPassHoursAtCap: number;
}

export async function benchDrift(databases: DbKind[]): Promise<DriftCase[]> {
  const sizes = (
    process.env.BENCH_DRIFT_SIZES ?? (QUICK ? '1000,10000' : '10000,100000')
  )
    .split(',')
    .map(Number);
  const results: DriftCase[] = [];
  for (const size of sizes) {
    const stateDir = await fs.mkdtemp(
      path.join(os.tmpdir(), 'apim-bench-drift-'),
    );
    const seedStart = now();
    await writeDriftState(stateDir, size, SERVICE_ACCOUNT.username);
    log(
      `drift: ${size.toLocaleString('en')} applications written in ${round(
        (now() - seedStart) / 1000,
        1,
      )} s; starting the stack`,
    );
    const stack = await startLocalStack({
      stateDir,
      emulatorPort: 0,
      keyManagerPort: 0,
      persist: true,
    });
    try {
      await stack.emulator.control.setFaults([
        { type: 'latency', latencyMs: LATENCY_MS },
      ]);
      for (const kind of databases) {
        results.push(await runCase(stack, kind, size, stateDir));
      }
    } finally {
      await stack.stop();
      await fs.rm(stateDir, { recursive: true, force: true });
    }
  }
  return results;
}

async function runCase(
  stack: Awaited<ReturnType<typeof startLocalStack>>,
  kind: DbKind,
  size: number,
  stateDir: string,
): Promise<DriftCase> {
  const sqliteFile = path.join(stateDir, `drift-${size}.sqlite`);
  const db = await freshDatabase(kind, 'bench_drift', sqliteFile);
  // knex may have parsed the URL into an object: the database's name is what the child needs.
  const pgConnection = db.knex.client.config.connection as
    | string
    | { database: string };
  const connection =
    kind === 'sqlite'
      ? sqliteFile
      : `${PG_URL}/${
          typeof pgConnection === 'string'
            ? pgConnection.split('/').pop()
            : pgConnection.database
        }`;
  // The child opens its own connections.
  await db.knex.destroy();
  const args: DriftChildArgs = {
    db: kind,
    connection,
    mappings: size,
    stack: { url: stack.emulator.url, ca: stack.tls.ca },
    periodMinutes: PERIOD_MINUTES,
    maxRequestsPerSecond: MAX_RPS,
    maxConcurrency: MAX_CONCURRENCY,
  };
  log(`drift (${db.label}): seeding ${size.toLocaleString('en')} mappings`);
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      path.join(process.cwd(), 'node_modules/tsx/dist/cli.mjs'),
      path.join(__dirname, 'driftChild.ts'),
      JSON.stringify(args),
    ],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  try {
    // A child that dies answers nothing: fail instead of waiting for ever.
    const exited = once(child, 'exit').then(([code]) => {
      throw new Error(`drift child exited with ${code}`);
    });
    exited.catch(() => undefined);
    const [seeded] = (await Promise.race([once(child, 'message'), exited])) as [
      { seedSeconds: number },
    ];
    log(`drift (${db.label}): one run of the job`);
    const control = stack.emulator.control;
    const before = await control.stats();
    const done = once(child, 'message');
    child.send('run');
    const [result] = (await Promise.race([done, exited])) as [
      {
        report: { checked: number; drifted: number };
        ms: number;
        requests: number;
        peakPerSecond: number;
        rssBefore: number;
        peakRss: number;
        peakHeapUsed: number;
        db: { statements: number; roundTrips: number };
      },
    ];
    const after = await control.stats();
    const byRoute: Record<string, number> = {};
    for (const [route, count] of Object.entries(after.byRoute)) {
      const delta = count - (before.byRoute[route] ?? 0);
      if (delta > 0) byRoute[route] = delta;
    }
    const mb = (b: number) => round(b / 1024 / 1024, 1);
    return {
      db: db.label,
      mappings: size,
      latencyMs: LATENCY_MS,
      periodSeconds: PERIOD_MINUTES * 60,
      maxRequestsPerSecond: MAX_RPS,
      seedSeconds: round(seeded.seedSeconds, 1),
      runSeconds: round(result.ms / 1000, 1),
      checked: result.report.checked,
      drifted: result.report.drifted,
      apimRequests: after.total - before.total,
      apimByRoute: byRoute,
      peakRequestsPerSecond: result.peakPerSecond,
      meanRequestsPerSecond: round(result.requests / (result.ms / 1000), 1),
      dbStatements: result.db.statements,
      dbRoundTrips: result.db.roundTrips,
      rssBeforeMb: mb(result.rssBefore),
      peakRssMb: mb(result.peakRss),
      rssGrowthMb: mb(result.peakRss - result.rssBefore),
      peakHeapUsedMb: mb(result.peakHeapUsed),
      fullPassHoursAtCap: round(size / MAX_RPS / 3600, 1),
    };
  } finally {
    if (child.exitCode === null) child.kill();
    if (kind === 'postgres') {
      const { default: knexFactory } = await import('knex');
      const admin = knexFactory({
        client: 'pg',
        connection: `${PG_URL}/postgres`,
      });
      const name = connection.split('/').pop();
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    }
  }
}

export function driftBars(results: DriftCase[]): BarResult[] {
  const bars: BarResult[] = [];
  for (const dbLabel of [...new Set(results.map(r => r.db))]) {
    const rows = results
      .filter(r => r.db === dbLabel)
      .sort((a, b) => a.mappings - b.mappings);
    const small = rows[0];
    const large = rows[rows.length - 1];
    const describe = (r: DriftCase) =>
      `${r.mappings.toLocaleString('en')}: run ${r.runSeconds} s of ${
        r.periodSeconds
      } s, ${r.checked} checked, ${r.apimRequests} API-M requests (peak ${
        r.peakRequestsPerSecond
      }/s), ${r.dbRoundTrips} DB round trips, RSS +${r.rssGrowthMb} MB`;
    bars.push({
      bar: `Drift job (${dbLabel}, ${
        small.latencyMs
      } ms API-M latency): under the request cap, a run within its period, memory flat from ${small.mappings.toLocaleString(
        'en',
      )} to ${large.mappings.toLocaleString('en')} mappings`,
      pass:
        rows.every(
          r =>
            r.peakRequestsPerSecond <= r.maxRequestsPerSecond &&
            r.runSeconds < r.periodSeconds,
        ) && large.rssGrowthMb <= small.rssGrowthMb + 20,
      detail: `${rows.map(describe).join('; ')}; cap ${
        small.maxRequestsPerSecond
      }/s per instance`,
    });
  }
  return bars;
}
