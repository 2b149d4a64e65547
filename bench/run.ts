/**
 * Runs every benchmark of docs section 10 (PRODUCT.md "Bars") and writes
 * bench/results/latest.md (the table the README shows) and bench/results/<timestamp>.json (raw
 * figures, machine, versions). Not part of the test suite.
 *
 *   yarn bench                       # everything (~10 min on 2 cores)
 *   BENCH_QUICK=1 yarn bench         # smaller N and 200k audit rows, for a smoke run
 *   BENCH_ONLY=provisioning,fanout yarn bench   # a subset: provisioning, fanout, tokens, audit, drift
 *   BENCH_DRIFT_SIZES=10000 yarn bench          # drift job sizes (default 10000,100000)
 *   BENCH_DATABASES=sqlite yarn bench           # skip PostgreSQL (default: sqlite,postgres)
 *
 * PostgreSQL: BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432); a database is
 * created for each run and dropped afterwards.
 */
import os from 'node:os';
import path from 'node:path';
import { promises as fs, readFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import knexFactory from 'knex';
import { BarResult, QUICK, log, round } from './lib/common';
import { DbKind, PG_URL, startStack } from './lib/stack';
import {
  ProvisioningResult,
  benchProvisioning,
  provisioningBars,
} from './provisioning';
import { FanoutCase, benchFanout, fanoutBars } from './fanout';
import { TokenResult, benchTokens, tokenBars } from './tokens';
import { AuditDbResult, FILTERS, auditBars, benchAudit } from './audit';
import { DriftCase, benchDrift, driftBars } from './drift';

const ROOT = path.resolve(__dirname, '..');
const only = (
  process.env.BENCH_ONLY ?? 'provisioning,fanout,tokens,audit,drift'
)
  .split(',')
  .map(s => s.trim());
const wanted = (name: string) => only.includes(name);

async function postgresReachable(): Promise<string | undefined> {
  const knex = knexFactory({
    client: 'pg',
    connection: `${PG_URL}/postgres`,
    acquireConnectionTimeout: 3000,
  });
  try {
    const res = await knex.raw('select version() as v');
    return res.rows[0].v as string;
  } catch {
    return undefined;
  } finally {
    await knex.destroy();
  }
}

function versionOf(pkg: string): string {
  try {
    return JSON.parse(
      readFileSync(
        require.resolve(`${pkg}/package.json`, { paths: [ROOT] }),
        'utf8',
      ),
    ).version;
  } catch {
    return 'unknown';
  }
}

function machine(loadAverageAtStart: number[], pgVersion?: string) {
  const cpus = os.cpus();
  let gitCommit = 'unknown';
  try {
    gitCommit = execSync('git rev-parse --short HEAD', {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
    if (
      execSync('git status --porcelain', {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .toString()
        .trim()
    )
      gitCommit += '+dirty';
  } catch {
    // not a git checkout
  }
  return {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: `${cpus.length} x ${cpus[0]?.model ?? 'unknown'}`,
    cpus: cpus.length,
    memoryGb: round(os.totalmem() / 1024 ** 3, 1),
    loadAverageAtStart,
    node: process.version,
    backstage: JSON.parse(
      readFileSync(path.join(ROOT, 'backstage.json'), 'utf8'),
    ).version,
    packages: Object.fromEntries(
      [
        '@backstage/backend-defaults',
        '@backstage/backend-test-utils',
        'knex',
        'better-sqlite3',
        'pg',
        'undici',
        'express',
      ].map(p => [p, versionOf(p)]),
    ),
    sqlite: (() => {
      try {
        const Database = require(require.resolve('better-sqlite3', {
          paths: [ROOT],
        }));
        return new Database(':memory:')
          .prepare('select sqlite_version() as v')
          .get().v as string;
      } catch {
        return 'unknown';
      }
    })(),
    postgres: pgVersion ?? 'not reachable',
    gitCommit,
    quick: QUICK,
  };
}

async function main() {
  const started = new Date();
  const loadAtStart = os.loadavg().map(x => round(x));
  const pgVersion = await postgresReachable();
  const requested = (process.env.BENCH_DATABASES ?? 'sqlite,postgres').split(
    ',',
  ) as DbKind[];
  const databases = requested.filter(
    d => d === 'sqlite' || (d === 'postgres' && pgVersion),
  );
  if (requested.includes('postgres') && !pgVersion)
    log(`PostgreSQL not reachable at ${PG_URL}: SQLite only`);
  const results: {
    provisioning?: ProvisioningResult[];
    fanout?: FanoutCase[];
    tokens?: TokenResult;
    audit?: AuditDbResult[];
    drift?: DriftCase[];
  } = {};
  const timings: Record<string, number> = {};

  if (wanted('provisioning') || wanted('fanout') || wanted('tokens')) {
    const stack = await startStack();
    try {
      if (wanted('provisioning')) {
        const t = Date.now();
        results.provisioning = [];
        for (const db of databases)
          results.provisioning.push(await benchProvisioning(stack, db));
        timings.provisioning = Date.now() - t;
      }
      if (wanted('fanout')) {
        const t = Date.now();
        results.fanout = await benchFanout(stack);
        timings.fanout = Date.now() - t;
      }
      if (wanted('tokens')) {
        const t = Date.now();
        results.tokens = await benchTokens(stack);
        timings.tokens = Date.now() - t;
      }
    } finally {
      await stack.stop();
      await fs.rm(stack.stateDir, { recursive: true, force: true });
    }
  }
  if (wanted('audit')) {
    const t = Date.now();
    results.audit = [];
    for (const db of databases) results.audit.push(await benchAudit(db));
    timings.audit = Date.now() - t;
  }
  if (wanted('drift')) {
    const t = Date.now();
    results.drift = await benchDrift(databases);
    timings.drift = Date.now() - t;
  }

  const bars: BarResult[] = [
    ...(results.provisioning ? provisioningBars(results.provisioning) : []),
    ...(results.fanout ? fanoutBars(results.fanout) : []),
    ...(results.tokens ? tokenBars(results.tokens) : []),
    ...(results.audit ? auditBars(results.audit) : []),
    ...(results.drift ? driftBars(results.drift) : []),
  ];
  const finished = new Date();
  const report = {
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationSeconds: round((finished.getTime() - started.getTime()) / 1000, 0),
    loadAverageAtEnd: os.loadavg().map(x => round(x)),
    phaseSeconds: Object.fromEntries(
      Object.entries(timings).map(([k, v]) => [k, round(v / 1000, 0)]),
    ),
    machine: machine(loadAtStart, pgVersion),
    bars,
    results,
  };

  const dir = path.join(ROOT, 'bench', 'results');
  await fs.mkdir(dir, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const jsonName = `${stamp}${QUICK ? '-quick' : ''}.json`;
  // Written as prettier writes them: CI runs `prettier --check .` over the results too.
  const loaded = (await import('prettier')) as unknown as {
    default?: typeof import('prettier');
  };
  const prettier = loaded.default ?? (loaded as typeof import('prettier'));
  const pretty = async (text: string, filepath: string) =>
    prettier.format(text, {
      ...(await prettier.resolveConfig(filepath)),
      filepath,
    });
  await fs.writeFile(
    path.join(dir, jsonName),
    await pretty(JSON.stringify(report), path.join(dir, jsonName)),
  );
  const markdown = await pretty(
    renderMarkdown(report, jsonName),
    path.join(dir, 'latest.md'),
  );
  await fs.writeFile(
    path.join(dir, QUICK ? 'latest-quick.md' : 'latest.md'),
    markdown,
  );
  process.stdout.write(markdown);
  log(
    `wrote bench/results/${jsonName} and bench/results/${
      QUICK ? 'latest-quick.md' : 'latest.md'
    }`,
  );
}

type Report = {
  startedAt: string;
  durationSeconds: number;
  loadAverageAtEnd: number[];
  machine: ReturnType<typeof machine>;
  bars: BarResult[];
  results: {
    provisioning?: ProvisioningResult[];
    fanout?: FanoutCase[];
    tokens?: TokenResult;
    audit?: AuditDbResult[];
    drift?: DriftCase[];
  };
};

function renderMarkdown(report: Report, jsonName: string): string {
  const m = report.machine;
  const out: string[] = [];
  out.push(
    `# Benchmark results${
      m.quick ? ' (BENCH_QUICK: reduced sizes, not for the README)' : ''
    }`,
  );
  out.push('');
  out.push(
    `${report.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${
      report.durationSeconds
    } s, commit ${m.gitCommit}. ${m.cpu}, ${m.memoryGb} GB, ${
      m.os
    }; load average (1 / 5 / 15 min) at start ${m.loadAverageAtStart.join(
      ' / ',
    )}, at the end ${report.loadAverageAtEnd.join(' / ')}. Node ${
      m.node
    }, Backstage ${m.backstage}, SQLite ${m.sqlite} (better-sqlite3 ${
      m.packages['better-sqlite3']
    }), ${m.postgres.split(' on ')[0]}, knex ${m.packages.knex}, undici ${
      m.packages.undici
    }. Raw figures: \`bench/results/${jsonName}\`.`,
  );
  out.push('');
  out.push('| bar | result | figures |');
  out.push('| --- | --- | --- |');
  for (const b of report.bars)
    out.push(
      `| ${b.bar} | ${b.pass ? 'PASS' : '**FAIL**'} | ${b.detail.replace(
        /\|/g,
        '\\|',
      )} |`,
    );
  out.push('');

  const r = report.results;
  if (r.provisioning?.length) {
    out.push(
      `## Provisioning overhead (${r.provisioning[0].n} fresh cells each, +${r.provisioning[0].latencyMs} ms on every API-M request)`,
    );
    out.push('');
    out.push(
      '| database | Backstage p50 / p95 (ms) | map-keys direct p50 / p95 (ms) | ratio p50 / p95 | added by Backstage, p50 (ms) | of which a request that does nothing, p50 (ms) | CPU per provisioning, backend process / direct client, p50 (ms) |',
    );
    out.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const p of r.provisioning) {
      out.push(
        `| ${p.db} | ${p.backstage.p50} / ${p.backstage.p95} | ${
          p.direct.p50
        } / ${p.direct.p95} | ${p.ratioP50}x / ${p.ratioP95}x | ${
          p.overheadP50Ms
        } | ${p.hop?.p50 ?? '-'} | ${p.cpuMs?.backstage.p50 ?? '-'} / ${
          p.cpuMs?.direct.p50 ?? '-'
        } |`,
      );
    }
    out.push('');
    out.push(
      'Per provisioning (median; bench/lib/calls.ts): sequential round trips are calls started with none of their kind in flight; catalog and permission calls are HTTP calls to other plugins in a real deployment.',
    );
    out.push('');
    out.push(
      '| database | DB round trips before the answer | DB statements | DB round trips after the answer | time waiting for the DB (ms) | catalog calls | permission calls | internal round trips | API-M requests |',
    );
    out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const p of r.provisioning) {
      const c = p.perProvision;
      out.push(
        `| ${p.db} | ${c.dbRoundTrips} | ${c.dbStatements} | ${c.dbRoundTripsOffPath} | ${c.dbBusyMs} | ${c.catalogCalls} | ${c.permissionCalls} | ${c.internalRoundTrips} | ${c.apimRequests} |`,
      );
    }
    out.push('');
    for (const p of r.provisioning) {
      out.push(
        `<details><summary>Calls of one provisioning, ${p.db} (ms from the request)</summary>`,
      );
      out.push('');
      out.push('```');
      for (const c of p.trace)
        out.push(
          `${String(c.startMs).padStart(7)} ${String(c.endMs ?? '?').padStart(
            7,
          )}  ${c.sequential ? '|' : '+'} ${c.kind.padEnd(11)} ${c.what}${
            c.offPath ? '  [after the answer]' : ''
          }`,
        );
      out.push('```');
      out.push('');
      out.push('</details>');
      out.push('');
    }
  }
  if (r.fanout?.length) {
    out.push('## Tab read fan-out (2 API-M instances)');
    out.push('');
    out.push(
      '| environments | API-M latency | key manager cache | read p50 / p95 (ms) | slowest single call p50 (ms) | read / slowest call | first read after start-up (ms) | first read / slowest call | start-up warm-up (ms) |',
    );
    out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const f of r.fanout) {
      out.push(
        `| ${f.environments} | ${f.latencyMs} ms | ${f.keyManagerCache} | ${f.read.p50} / ${f.read.p95} | ${f.slowestCall.p50} | ${f.ratioToSlowestCall}x | ${f.coldFirstReadMs} | ${f.coldRatioToSlowestCall}x | ${f.warmUpMs} |`,
      );
    }
    out.push('');
  }
  if (r.tokens) {
    const t = r.tokens;
    out.push('## Token requests');
    out.push('');
    out.push(
      `${
        t.concurrentProvisions
      } concurrent provisions on a fresh backend with ${
        t.instances
      } instances: ${t.tokenRequests} token requests, ${
        t.dcrRequests
      } DCR registrations, ${t.apimRequests} API-M requests in ${
        t.burstMs
      } ms (statuses ${JSON.stringify(t.provisionStatuses)}). Sustained: ${
        t.sustained.requests
      } tab reads by 100 workers over ${round(
        t.sustained.durationMs / 1000,
        1,
      )} s with a ${t.sustained.tokenLifetimeSeconds} s token lifetime: ${
        t.sustained.tokenRequests
      } token requests (allowed ${t.sustained.allowed}).`,
    );
    out.push('');
  }
  if (r.audit?.length) {
    out.push(
      `## Audit pages (GET /audit via the store, limit 50, median of runs; deep = cursor at 90% of the matches)`,
    );
    out.push('');
    out.push(
      `| filter | matches | ${r.audit
        .map(a => `${a.db} first / deep (ms)`)
        .join(' | ')} |`,
    );
    out.push(`| --- | --- | ${r.audit.map(() => '---').join(' | ')} |`);
    for (const f of FILTERS) {
      const cells = r.audit.map(a => {
        const p = a.pages.find(x => x.filter === f.name)!;
        const mark = (ms: number) => (ms >= 25 ? `**${ms}**` : `${ms}`);
        return `${mark(p.firstPageMs)} / ${mark(p.deepPageMs)}`;
      });
      const matches = r.audit[0].pages.find(x => x.filter === f.name)!.matches;
      out.push(
        `| ${f.name}${
          f.combined ? ' (combined)' : ''
        } | ${matches.toLocaleString('en')} | ${cells.join(' | ')} |`,
      );
    }
    out.push('');
    out.push(
      '## CSV export (GET /audit/export from a separate backend process, all rows)',
    );
    out.push('');
    out.push(
      '| database | rows | time (s) | rows/s | RSS before (MB) | peak RSS (MB) | peak heap used (MB) |',
    );
    out.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const a of r.audit) {
      for (const e of a.exports) {
        out.push(
          `| ${a.db} | ${e.rows.toLocaleString('en')} | ${
            e.seconds
          } | ${e.rowsPerSecond.toLocaleString('en')} | ${e.rssBeforeMb} | ${
            e.peakRssMb
          } | ${e.peakHeapUsedMb} |`,
        );
      }
    }
    out.push('');
    out.push(
      `Seeding: ${r.audit
        .map(
          a =>
            `${a.db} ${a.rows.toLocaleString('en')} rows in ${a.seedSeconds} s`,
        )
        .join(', ')}.`,
    );
    out.push('');
    for (const a of r.audit) {
      for (const [filter, plan] of Object.entries(a.plans)) {
        out.push(`Plan over the bar, ${a.db}, ${filter}:`);
        out.push('');
        out.push('```');
        out.push(plan);
        out.push('```');
        out.push('');
      }
    }
  }
  if (r.drift?.length) {
    const d0 = r.drift[0];
    out.push(
      `## Drift job at scale (one run, ${d0.latencyMs} ms added to every API-M request, period ${d0.periodSeconds} s, cap ${d0.maxRequestsPerSecond} requests/s per instance, every mapping within a day)`,
    );
    out.push('');
    out.push(
      '| database | mappings | run (s) | checked | API-M requests | peak / mean requests/s | DB statements | DB round trips | RSS before / peak (MB) | RSS growth (MB) | full pass at the cap (h) |',
    );
    out.push(
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const d of r.drift) {
      out.push(
        `| ${d.db} | ${d.mappings.toLocaleString('en')} | ${d.runSeconds} | ${
          d.checked
        } | ${d.apimRequests} | ${d.peakRequestsPerSecond} / ${
          d.meanRequestsPerSecond
        } | ${d.dbStatements} | ${d.dbRoundTrips} | ${d.rssBeforeMb} / ${
          d.peakRssMb
        } | ${d.rssGrowthMb} | ${d.fullPassHoursAtCap} |`,
      );
    }
    out.push('');
    out.push(
      `API-M requests by route: ${r.drift
        .map(
          d =>
            `${d.db} ${d.mappings.toLocaleString('en')}: ${Object.entries(
              d.apimByRoute,
            )
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}`,
        )
        .join('; ')}. Seeding the mapping table: ${r.drift
        .map(
          d =>
            `${d.db} ${d.mappings.toLocaleString('en')} in ${d.seedSeconds} s`,
        )
        .join(', ')}.`,
    );
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

main().catch(error => {
  process.stderr.write(`bench failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
