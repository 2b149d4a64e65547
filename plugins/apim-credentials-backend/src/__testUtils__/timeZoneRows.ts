/**
 * The rows the time-zone suites write and read (timeZones.test.ts, its child process
 * storeInTimeZone.ts, mysqlTimestamps.test.ts): an audit row and a sandbox mapping of one
 * entity, and the queries that read them back.
 */
import type { ApimCredentialsStores } from '../database/stores';

export const ENTITY = 'component:default/orders-service';

/** The audit row's start: the guest provisions for ENTITY. */
export const AUDIT_START = {
  actor: 'user:default/guest',
  source: 'ui' as const,
  action: 'provision' as const,
  entityRef: ENTITY,
};

/** ENTITY's sandbox mapping, but for when it was provisioned. */
export const SANDBOX_MAPPING = {
  entityRef: ENTITY,
  environment: 'sandbox',
  keyManager: 'IS',
  instance: 'local',
  keyType: 'SANDBOX' as const,
  applicationId: 'app-1',
  applicationName: 'orders-service',
  consumerKey: 'c1',
  keyMappingId: 'k1',
  grantTypes: ['client_credentials'],
  provisionedBy: 'user:default/guest',
};

/** What a replica reads of the rows written at one instant. */
export interface SeenRows {
  audit: Array<{ startedAt: string; finishedAt?: string }>;
  provisionedAt: string[];
}

/** Writes an audit row started at `instant` (finished 1.5 s later) and the mapping provisioned then. */
export async function writeRowsAt(
  store: ApimCredentialsStores,
  instant: Date,
): Promise<void> {
  const id = await store.audit.startAudit(AUDIT_START, instant);
  await store.audit.completeAudit(
    id,
    { outcome: 'succeeded' },
    new Date(instant.getTime() + 1500),
  );
  await store.mappings.upsertMapping({
    ...SANDBOX_MAPPING,
    provisionedAt: instant,
  });
}

/** Reads the audit rows started at `instant` (the one-millisecond window from it) and ENTITY's mappings. */
export async function readRowsAt(
  store: ApimCredentialsStores,
  instant: Date,
): Promise<SeenRows> {
  const window = await store.audit.queryAudit({
    limit: 10,
    since: instant.toISOString(),
    until: new Date(instant.getTime() + 1).toISOString(),
  });
  const mappings = await store.mappings.getMappingsForEntity(ENTITY);
  return {
    audit: window.items.map(r => ({
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
    })),
    provisionedAt: mappings.map(m => m.provisionedAt),
  };
}
