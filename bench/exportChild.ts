/**
 * Run by bench/audit.ts as a separate process: a Backstage backend with the plugin on an
 * already seeded database, so the CSV export's memory is measured on a backend process alone.
 * Argument: JSON { sqliteFile } or { pgUrl }. Talks to the parent over IPC:
 *   -> { port }            when listening
 *   <- 'start'             take the baseline (after a GC) and start sampling memory
 *   -> { baseline }        ready
 *   <- 'stop'              stop sampling
 *   -> { rssBefore, peakRss, peakHeapUsed }
 */
import knexFactory from 'knex';
import { entity, startPluginBackend } from './lib/stack';

async function main() {
  const { sqliteFile, pgUrl } = JSON.parse(process.argv[2]) as {
    sqliteFile?: string;
    pgUrl?: string;
  };
  const knex = sqliteFile
    ? knexFactory({
        client: 'better-sqlite3',
        connection: { filename: sqliteFile },
        useNullAsDefault: true,
      })
    : knexFactory({
        client: 'pg',
        connection: pgUrl!,
        pool: { min: 0, max: 5 },
      });
  const backend = await startPluginBackend({
    knex,
    entities: [entity('svc-0')],
    config: {
      // Never called by the export; the plugin only needs a valid configuration to start.
      instances: [
        {
          id: 'unused',
          baseUrl: 'https://127.0.0.1:9',
          auth: { username: 'x', password: 'x' },
        },
      ],
      environments: [
        {
          id: 'production',
          title: 'Production',
          instance: 'unused',
          keyType: 'PRODUCTION',
        },
      ],
    },
  });
  const port = Number(new URL(backend.baseUrl).port);
  let rssBefore = 0;
  let peakRss = 0;
  let peakHeapUsed = 0;
  let timer: NodeJS.Timeout | undefined;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeapUsed = Math.max(peakHeapUsed, m.heapUsed);
  };
  process.on('message', message => {
    if (message === 'start') {
      (globalThis as any).gc?.();
      rssBefore = process.memoryUsage().rss;
      peakRss = rssBefore;
      peakHeapUsed = process.memoryUsage().heapUsed;
      timer = setInterval(sample, 10);
      process.send!({ baseline: rssBefore });
    } else if (message === 'stop') {
      sample();
      clearInterval(timer);
      process.send!({ rssBefore, peakRss, peakHeapUsed });
    }
  });
  process.on('SIGTERM', () => {
    backend.stop().finally(() => knex.destroy().finally(() => process.exit(0)));
  });
  process.send!({ port });
}

main().catch(error => {
  process.stderr.write(`exportChild: ${error?.stack ?? error}\n`);
  process.exit(1);
});
