/**
 * Run by bench/drift.ts as a separate process, so that the drift job's memory is measured on a
 * process that holds nothing else: the plugin's services (the same factory as the plugin,
 * services.ts) over a database with `mappings` seeded rows, against the seeded emulator.
 * Argument: JSON { db: 'sqlite' | 'postgres', connection, mappings, stack: {url, ca}, periodMinutes }.
 * Talks to the parent over IPC:
 *   -> { seeded, seedSeconds }   mappings written, baseline taken after a GC
 *   <- 'run'                     run the job once
 *   -> { report, ms, requests, peakPerSecond, rssBefore, peakRss, peakHeapUsed, db }
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import knexFactory from 'knex';
import { ConfigReader } from '@backstage/config';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { createApimCredentialsServices } from '../plugins/apim-credentials-backend/src/services';
import { CallRecorder } from './lib/calls';
import { now } from './lib/common';
import { seededMapping } from './lib/driftSeed';

export interface DriftChildArgs {
  db: 'sqlite' | 'postgres';
  connection: string;
  mappings: number;
  stack: { url: string; ca: string };
  periodMinutes: number;
  maxRequestsPerSecond: number;
  maxConcurrency: number;
}

/** The job's warnings (deadline reached, instance skipped) go to stderr; the rest is dropped. */
const logger: LoggerService = {
  info: () => undefined,
  debug: () => undefined,
  warn: (message: string) => process.stderr.write(`[drift job] ${message}\n`),
  error: (message: string) => process.stderr.write(`[drift job] ${message}\n`),
  child: () => logger,
};

async function main() {
  const args = JSON.parse(process.argv[2]) as DriftChildArgs;
  const knex =
    args.db === 'sqlite'
      ? knexFactory({
          client: 'better-sqlite3',
          connection: { filename: args.connection },
          useNullAsDefault: true,
        })
      : knexFactory({
          client: 'pg',
          connection: args.connection,
          pool: { min: 0, max: 10 },
        });
  const config = new ConfigReader({
    apimCredentials: {
      instances: [
        {
          id: 'local',
          baseUrl: args.stack.url,
          auth: { username: 'svc-backstage', password: 'svc-backstage' },
          tls: { ca: args.stack.ca },
          timeout: { seconds: 30 },
        },
      ],
      environments: [
        {
          id: 'production',
          title: 'Production',
          instance: 'local',
          keyType: 'PRODUCTION',
          keyManagers: ['IS'],
        },
      ],
      reconcile: {
        schedule: {
          frequency: { minutes: args.periodMinutes },
          timeout: { minutes: args.periodMinutes * 2 },
        },
        maxRequestsPerSecond: args.maxRequestsPerSecond,
        maxConcurrency: args.maxConcurrency,
      },
    },
  });
  const services = await createApimCredentialsServices({
    config,
    database: { getClient: async () => knex },
    logger,
  });

  const seedStart = now();
  const provisionedAt = new Date(Date.now() - 86_400_000);
  const BATCH = args.db === 'sqlite' ? 500 : 2000;
  for (let from = 0; from < args.mappings; from += BATCH) {
    const rows = [];
    for (let i = from; i < Math.min(args.mappings, from + BATCH); i++) {
      const m = seededMapping(i);
      rows.push({
        entity_ref: m.entityRef,
        environment: 'production',
        key_manager: 'IS',
        instance: 'local',
        key_type: 'PRODUCTION',
        application_id: m.applicationId,
        application_name: m.applicationName,
        consumer_key: m.consumerKey,
        key_mapping_id: m.keyMappingId,
        grant_types: '["client_credentials"]',
        provisioned_by: 'user:default/bench',
        provisioned_at: provisionedAt,
        state: 'active',
        drift_reason: null,
      });
    }
    await knex('apim_credentials_mappings').insert(rows);
  }
  const seedSeconds = (now() - seedStart) / 1000;

  (global as { gc?: () => void }).gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  let peakHeapUsed = process.memoryUsage().heapUsed;
  const calls = new CallRecorder().attachKnex(knex);
  process.send!({ seeded: args.mappings, seedSeconds });

  process.on('message', async message => {
    if (message !== 'run') return;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeapUsed = Math.max(peakHeapUsed, m.heapUsed);
    }, 20);
    // When each of the job's API-M requests starts, seen by the plugin's HTTP client (undici):
    // what the cap governs. The REST token's DCR and password grant are not the job's calls.
    const starts: number[] = [];
    const onCreate = (message: unknown) => {
      const { path } = (message as { request: { path: string } }).request;
      if (path.startsWith('/api/am/')) starts.push(now());
    };
    diagnosticsChannel.subscribe('undici:request:create', onCreate);
    const window = calls.window();
    const start = now();
    const report = await services.job.run();
    const ms = now() - start;
    clearInterval(sampler);
    diagnosticsChannel.unsubscribe('undici:request:create', onCreate);
    // The most starts within any half-open second.
    let peakPerSecond = 0;
    for (let i = 0, j = 0; j < starts.length; j++) {
      while (starts[j] - starts[i] >= 1000) i++;
      peakPerSecond = Math.max(peakPerSecond, j - i + 1);
    }
    const { counts } = window();
    process.send!({
      report,
      ms,
      requests: starts.length,
      peakPerSecond,
      rssBefore,
      peakRss,
      peakHeapUsed,
      db: {
        statements: counts.dbStatements,
        roundTrips: counts.dbRoundTrips,
      },
    });
    await services.close();
    await knex.destroy();
    process.exit(0);
  });
}

main().catch(error => {
  process.stderr.write(`drift child failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
