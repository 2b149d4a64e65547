/**
 * Shared by the abuse suites: snapshots of everything a request could change (the plugin's
 * tables and API-M's state) and of API-M's request counters, so a test can prove that a request
 * changed nothing and did not reach API-M.
 */
import { Knex } from 'knex';
import { LocalStack } from '@internal/local-stack';

export const TABLES = [
  'apim_credentials_audit',
  'apim_credentials_mappings',
  'apim_credentials_locks',
] as const;

export interface Snapshot {
  db: Record<string, unknown[]>;
  apim: {
    applications: unknown[];
    keyMappings: unknown[];
    subscriptions: unknown[];
    dcrClients: unknown[];
  };
  stats: { total: number; byRoute: Record<string, number> };
}

export async function snapshot(
  knex: Knex,
  stack: LocalStack,
): Promise<Snapshot> {
  const rows = await Promise.all(
    TABLES.map(t =>
      knex(t)
        .select()
        .orderBy(
          (
            {
              apim_credentials_audit: 'seq',
              apim_credentials_mappings: 'id',
              apim_credentials_locks: 'cell',
            } as const
          )[t],
        ),
    ),
  );
  const [state, stats] = await Promise.all([
    stack.emulator.control.state(),
    stack.emulator.control.stats(),
  ]);
  return {
    db: Object.fromEntries(TABLES.map((t, i) => [t, rows[i]])),
    apim: {
      applications: state.applications,
      keyMappings: state.keyMappings,
      subscriptions: state.subscriptions,
      dcrClients: state.dcrClients,
    },
    stats: { total: stats.total, byRoute: stats.byRoute },
  };
}

/** API-M routes called between two snapshots, with counts (`GET /key-managers: 1`). */
export function apimCallsBetween(
  before: Snapshot,
  after: Snapshot,
): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const [route, n] of Object.entries(after.stats.byRoute)) {
    const delta = n - (before.stats.byRoute[route] ?? 0);
    if (delta > 0) calls[route] = delta;
  }
  return calls;
}

/** Reads only: listing key managers (to reject an unknown one) is the one API-M call a bad input may cause. */
export const ACCEPTABLE_READS = /key-managers/;

/**
 * Asserts `after` equals `before` in the database and API-M, and that API-M saw no call other
 * than the acceptable reads (never map-keys, oauth-keys, applications or a token).
 */
export function expectNothingChanged(
  before: Snapshot,
  after: Snapshot,
  what: string,
  allowReads = false,
) {
  const calls = apimCallsBetween(before, after);
  const unexpected = Object.keys(calls).filter(
    route => !(allowReads && ACCEPTABLE_READS.test(route)),
  );
  if (unexpected.length > 0) {
    throw new Error(`${what}: reached API-M (${JSON.stringify(calls)})`);
  }
  for (const table of TABLES) {
    if (JSON.stringify(before.db[table]) !== JSON.stringify(after.db[table])) {
      throw new Error(
        `${what}: changed table ${table}: ${JSON.stringify(
          (after.db[table] as unknown[]).slice(
            (before.db[table] as unknown[]).length,
          ),
        )}`,
      );
    }
  }
  if (JSON.stringify(before.apim) !== JSON.stringify(after.apim)) {
    throw new Error(`${what}: changed API-M state`);
  }
}

export function sleep(ms: number) {
  return new Promise(resolve => setTimeout(resolve, ms));
}
