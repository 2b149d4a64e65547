/**
 * Audit at scale and CSV export, per database (SQLite file, PostgreSQL):
 * 1. migrate with the plugin's own migrations (ApimCredentialsDatabase.create), seed 100k rows,
 *    export them as CSV from a separate backend process and record its peak memory;
 * 2. seed up to 1M rows, time `store.queryAudit` (what GET /audit runs) for each filter on the
 *    first page and on a page deep in the history (a cursor at 90% of the filter's matches);
 * 3. export the 1M rows the same way.
 */
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fetch } from 'undici';
import type { Knex } from 'knex';
import type { ParsedAuditQuery } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { AuditStore } from '../plugins/apim-credentials-backend/src/database/AuditStore';
import { ApimCredentialsDatabase } from '../plugins/apim-credentials-backend/src/database/ApimCredentialsDatabase';
import { DEFAULT_COUNT_CAP } from '../plugins/apim-credentials-backend/src/database/countRows';
import {
  decodeAuditCursor,
  encodeAuditPosition,
} from '../plugins/apim-credentials-backend/src/database/auditCursor';
import { BarResult, QUICK, log, median, now, round } from './lib/common';
import {
  AUDIT_TABLE,
  AuditGenerator,
  HISTORY_MS,
  HISTORY_START,
  entityRef,
  seedAudit,
  userRef,
} from './lib/auditSeed';
import { DbKind, PG_URL, freshDatabase } from './lib/stack';

export const TOTAL_ROWS = QUICK ? 200_000 : 1_000_000;
export const FIRST_EXPORT_ROWS = QUICK ? 20_000 : 100_000;
const RUNS = QUICK ? 5 : 9;
const PAGE = 50; // GET /audit's default limit
const BAR_MS = 25;

type Filter = Omit<ParsedAuditQuery, 'limit' | 'cursor'>;

const day = 24 * 3600 * 1000;
const at = (fraction: number) =>
  new Date(HISTORY_START + fraction * HISTORY_MS).toISOString();

/** The filters of GET /audit, one at a time, then a few combinations the UI produces. */
export const FILTERS: Array<{
  name: string;
  combined?: boolean;
  query: Filter;
}> = [
  { name: 'none', query: {} },
  { name: 'entityRef (popular)', query: { entityRef: entityRef(0) } },
  { name: 'entityRef (long tail)', query: { entityRef: entityRef(2000) } },
  { name: 'environment', query: { environment: 'production' } },
  { name: 'actor', query: { actor: userRef(3) } },
  { name: 'action', query: { action: 'unprovision' } },
  { name: 'outcome', query: { outcome: 'failed' } },
  { name: 'outcome (rare: pending)', query: { outcome: 'pending' } },
  {
    name: 'since (last 30 days)',
    query: {
      since: new Date(HISTORY_START + HISTORY_MS - 30 * day).toISOString(),
    },
  },
  { name: 'until (a year ago)', query: { until: at(0.5) } },
  {
    name: 'since+until (one month)',
    query: { since: at(0.5), until: at(0.5 + 30 / 730) },
  },
  {
    name: 'entityRef+environment',
    combined: true,
    query: { entityRef: entityRef(0), environment: 'production' },
  },
  {
    name: 'entityRef+outcome',
    combined: true,
    query: { entityRef: entityRef(5), outcome: 'failed' },
  },
  {
    name: 'environment+outcome (rare)',
    combined: true,
    query: { environment: 'production', outcome: 'pending' },
  },
  {
    name: 'actor+action',
    combined: true,
    query: { actor: userRef(3), action: 'verify' },
  },
  {
    name: 'environment+since',
    combined: true,
    query: { environment: 'production', since: at(0.75) },
  },
];

export interface AuditPageTiming {
  filter: string;
  combined: boolean;
  matches: number;
  firstPageMs: number;
  deepPageMs: number;
  deepDepth: number;
  raw: { first: number[]; deep: number[] };
}

export interface ExportResult {
  rows: number;
  csvRows: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  rssBeforeMb: number;
  peakRssMb: number;
  peakHeapUsedMb: number;
  growthMb: number;
}

export interface AuditDbResult {
  db: string;
  rows: number;
  seedSeconds: number;
  pages: AuditPageTiming[];
  exports: ExportResult[];
  /** Query plans of the slowest pages, for the README / fixes. */
  plans: Record<string, string>;
}

function addFilters(q: Knex.QueryBuilder, f: Filter) {
  if (f.entityRef) q.where('entity_ref', f.entityRef);
  if (f.environment) q.where('environment', f.environment);
  if (f.actor) q.where('actor', f.actor);
  if (f.action) q.where('action', f.action);
  if (f.outcome) q.where('outcome', f.outcome);
  if (f.since) q.where('started_at', '>=', new Date(f.since));
  if (f.until) q.where('started_at', '<', new Date(f.until));
  return q;
}

export async function benchAudit(kind: DbKind): Promise<AuditDbResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'apim-bench-audit-'));
  const sqliteFile = path.join(dir, 'audit.sqlite');
  const db = await freshDatabase(kind, 'bench_audit', sqliteFile);
  const connection =
    kind === 'sqlite'
      ? { sqliteFile }
      : { pgUrl: (db.knex.client.config as any).connection as string };
  try {
    const store = await AuditStore.create({
      database: await ApimCredentialsDatabase.create({
        database: { getClient: async () => db.knex },
      }),
    });
    const generator = new AuditGenerator(TOTAL_ROWS);
    const seedStart = now();
    log(`audit (${db.label}): seeding ${FIRST_EXPORT_ROWS} rows`);
    await seedAudit(db.knex, generator, 0, FIRST_EXPORT_ROWS);
    const exports: ExportResult[] = [];
    if (kind === 'postgres') await db.knex.raw(`ANALYZE ${AUDIT_TABLE}`);
    log(
      `audit (${db.label}): CSV export of ${FIRST_EXPORT_ROWS} rows from a separate backend process`,
    );
    let seedMs = now() - seedStart;
    exports.push(await measureExport(connection, FIRST_EXPORT_ROWS));
    const seed2 = now();
    await seedAudit(db.knex, generator, FIRST_EXPORT_ROWS, TOTAL_ROWS, done => {
      if (done % 200_000 === 0) log(`audit (${db.label}): ${done} rows`);
    });
    // PostgreSQL's autovacuum would have vacuumed and analysed a table after this many inserts
    // (autovacuum_vacuum_insert_threshold, PostgreSQL 13+); do it now rather than wait. The
    // vacuum sets the visibility map, without which the capped count of the first page
    // (countRows.ts) cannot be an index-only scan and visits up to 10,001 heap pages.
    if (kind === 'postgres')
      await db.knex.raw(`VACUUM (ANALYZE) ${AUDIT_TABLE}`);
    seedMs += now() - seed2;

    log(`audit (${db.label}): timing pages`);
    const pages: AuditPageTiming[] = [];
    const plans: Record<string, string> = {};
    for (const f of FILTERS) {
      const matches = Number(
        (await addFilters(db.knex(AUDIT_TABLE), f.query).count({ n: '*' }))[0]
          .n,
      );
      const depth = Math.floor(matches * 0.9);
      const deepRow = await addFilters(db.knex(AUDIT_TABLE), f.query)
        .select('started_at', 'seq')
        .orderBy([
          { column: 'started_at', order: 'desc' },
          { column: 'seq', order: 'desc' },
        ])
        .offset(depth)
        .limit(1)
        .first();
      const deepCursor = deepRow
        ? encodeAuditPosition({
            startedAt: deepRow.started_at,
            seq: deepRow.seq,
          })
        : undefined;
      const time = async (cursor?: string) => {
        const q: ParsedAuditQuery = {
          ...f.query,
          limit: PAGE,
          cursor,
        } as ParsedAuditQuery;
        await store.queryAudit(q); // warm-up (connection, statement cache, pages in memory)
        const ms: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const start = now();
          const page = await store.queryAudit(q);
          ms.push(now() - start);
          if (page.items.length === 0 && matches > 0)
            throw new Error(`empty page for ${f.name}`);
        }
        return ms;
      };
      const first = await time();
      const deep = deepCursor ? await time(deepCursor) : first;
      const timing = {
        filter: f.name,
        combined: Boolean(f.combined),
        matches,
        firstPageMs: round(median(first)),
        deepPageMs: round(median(deep)),
        deepDepth: depth,
        raw: { first: first.map(x => round(x)), deep: deep.map(x => round(x)) },
      };
      pages.push(timing);
      if (Math.max(timing.firstPageMs, timing.deepPageMs) > BAR_MS) {
        const worstCursor =
          timing.deepPageMs > timing.firstPageMs ? deepCursor : undefined;
        plans[f.name] = await explain(db.knex, kind, f.query, worstCursor);
      }
    }

    log(
      `audit (${db.label}): CSV export of ${TOTAL_ROWS} rows from a separate backend process`,
    );
    exports.push(await measureExport(connection, TOTAL_ROWS));
    return {
      db: db.label,
      rows: TOTAL_ROWS,
      seedSeconds: round(seedMs / 1000, 1),
      pages,
      exports,
      plans,
    };
  } finally {
    await db.destroy();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function explain(
  knex: Knex,
  kind: DbKind,
  f: Filter,
  cursor?: string,
): Promise<string> {
  // The same statements as AuditStore.queryAudit, for the plans.
  const q = addFilters(knex(AUDIT_TABLE), f);
  if (cursor) {
    const position = decodeAuditCursor(cursor);
    q.whereRaw('(started_at, seq) < (?, ?)', [
      new Date(position.startedAtMs),
      position.seq,
    ]);
  }
  const statements = [
    q
      .clone()
      .orderBy([
        { column: 'started_at', order: 'desc' },
        { column: 'seq', order: 'desc' },
      ])
      .limit(PAGE + 1)
      .toSQL(),
  ];
  // The first page also counts its matches, up to the cap (countRows.ts): that plan too.
  if (!cursor) {
    statements.push(
      knex
        .count({ n: '*' })
        .from(
          q
            .clone()
            .select(knex.raw('1 as one'))
            .limit(DEFAULT_COUNT_CAP + 1)
            .as('capped'),
        )
        .toSQL(),
    );
  }
  const plans: string[] = [];
  for (const { sql, bindings } of statements) {
    if (kind === 'sqlite') {
      const rows = await knex.raw(
        `EXPLAIN QUERY PLAN ${sql}`,
        bindings as any[],
      );
      plans.push(
        (rows as Array<{ detail: string }>).map(r => r.detail).join('; '),
      );
      continue;
    }
    const res = await knex.raw(
      `EXPLAIN (ANALYZE, BUFFERS) ${sql}`,
      bindings as any[],
    );
    plans.push(
      (res.rows as Array<Record<string, string>>)
        .map(r => r['QUERY PLAN'])
        .join('\n'),
    );
  }
  return plans.join(kind === 'sqlite' ? '\n' : '\n\n');
}

/**
 * Starts bench/exportChild.ts (a Backstage backend with the plugin on the seeded database) as a
 * separate process, downloads GET /audit/export completely and asks the child for its memory.
 */
async function measureExport(
  connection: { sqliteFile?: string; pgUrl?: string },
  rows: number,
): Promise<ExportResult> {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      path.join(process.cwd(), 'node_modules/tsx/dist/cli.mjs'),
      path.join(__dirname, 'exportChild.ts'),
      JSON.stringify(connection),
    ],
    { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
  );
  try {
    const [ready] = (await once(child, 'message')) as [{ port: number }];
    child.send('start');
    await once(child, 'message'); // baseline taken
    const start = now();
    const res = await fetch(
      `http://127.0.0.1:${ready.port}/api/apim-credentials/audit/export`,
    );
    if (res.status !== 200 || !res.body)
      throw new Error(`export answered ${res.status}`);
    let bytes = 0;
    let lines = 0;
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
    }
    const seconds = (now() - start) / 1000;
    child.send('stop');
    const [mem] = (await once(child, 'message')) as [
      { rssBefore: number; peakRss: number; peakHeapUsed: number },
    ];
    const mb = (b: number) => round(b / 1024 / 1024, 1);
    return {
      rows,
      csvRows: lines - 1,
      bytes,
      seconds: round(seconds, 1),
      rowsPerSecond: Math.round((lines - 1) / seconds),
      rssBeforeMb: mb(mem.rssBefore),
      peakRssMb: mb(mem.peakRss),
      peakHeapUsedMb: mb(mem.peakHeapUsed),
      growthMb: mb(mem.peakRss - mem.rssBefore),
    };
  } finally {
    child.kill('SIGTERM');
    await Promise.race([
      once(child, 'exit'),
      new Promise(r => setTimeout(r, 5000)),
    ]);
  }
}

export function auditBars(results: AuditDbResult[]): BarResult[] {
  const bars: BarResult[] = [];
  for (const r of results) {
    const single = r.pages.filter(p => !p.combined);
    const slow = single.filter(
      p => Math.max(p.firstPageMs, p.deepPageMs) >= BAR_MS,
    );
    const worst = single.reduce((a, b) =>
      Math.max(a.firstPageMs, a.deepPageMs) >=
      Math.max(b.firstPageMs, b.deepPageMs)
        ? a
        : b,
    );
    bars.push({
      bar: `Audit page under ${BAR_MS} ms at any depth, ${r.rows.toLocaleString(
        'en',
      )} rows, ${r.db}`,
      pass: slow.length === 0,
      detail: slow.length
        ? `over the bar: ${slow
            .map(
              p =>
                `${p.filter} (first ${p.firstPageMs} ms, deep ${p.deepPageMs} ms)`,
            )
            .join('; ')}`
        : `worst: ${worst.filter} (first ${worst.firstPageMs} ms, deep ${worst.deepPageMs} ms)`,
    });
    const [small, large] = r.exports;
    if (small && large) {
      // Bounded: the peak at 1M is within 25% (and 50 MB) of the peak at 100k, and complete.
      const bounded =
        large.peakRssMb <= small.peakRssMb * 1.25 ||
        large.peakRssMb - small.peakRssMb <= 50;
      bars.push({
        bar: `CSV export memory does not grow with the row count, ${r.db}`,
        pass:
          bounded &&
          large.csvRows === large.rows &&
          small.csvRows === small.rows,
        detail: `peak RSS ${small.peakRssMb} MB at ${small.rows.toLocaleString(
          'en',
        )} rows vs ${large.peakRssMb} MB at ${large.rows.toLocaleString(
          'en',
        )} rows; ${large.rows.toLocaleString('en')} rows in ${
          large.seconds
        } s (${large.rowsPerSecond.toLocaleString('en')} rows/s)`,
      });
    }
  }
  return bars;
}

export { PG_URL };
