/**
 * Adoption of late mappings: a map-keys call that timed out, broke or answered garbage was
 * completed as failed, but API-M may have written the mapping after we gave up (CONTRACT.md 9.3).
 * Moved out of ReconcileJob.ts; API-M calls go through the instance's gate (InstanceGate.ts).
 */
import type { ApimApplication, ApimApplicationKey } from '../../apim/types';
import type { ReconcileDeps, ReconcileReport } from './types';
import { mappingOf } from '../mappingOf';

/** Failures after which API-M may still have written the mapping. */
const INCONCLUSIVE_CODES = [
  'APIM_TIMEOUT',
  'APIM_UNREACHABLE',
  'APIM_MALFORMED_RESPONSE',
];

/**
 * A map-keys call that timed out, broke or answered garbage was completed as failed, but API-M
 * may have written the mapping after we gave up (CONTRACT.md 9.3). Find such mappings among
 * recent inconclusive attempts and record them, with an audit row saying so, so that no
 * mapping exists in API-M that Backstage does not know about.
 */
export async function adoptLateMappings(
  deps: ReconcileDeps,
  now: Date,
  report: ReconcileReport,
): Promise<void> {
  const since = new Date(
    now.getTime() - deps.config.reconcile.lateMappingWindowMs,
  );
  const rows = await deps.stores.audit.listInconclusiveProvisions(
    since,
    INCONCLUSIVE_CODES,
  );
  const keysByApp = new Map<
    string,
    Promise<{ app?: ApimApplication; keys: ApimApplicationKey[] }>
  >();
  for (const row of rows) {
    const env = deps.config.environments.find(e => e.id === row.environment);
    const apim = env && deps.apim(env.instance);
    if (
      !env ||
      !apim ||
      !row.applicationName ||
      !row.entityRef ||
      !row.keyManager ||
      !row.consumerKey
    )
      continue;
    const recorded = await deps.stores.mappings.getMappingsForEntity(
      row.entityRef,
    );
    if (
      recorded.some(
        m =>
          m.environment === env.id &&
          m.keyManager === row.keyManager &&
          m.consumerKey === row.consumerKey,
      )
    ) {
      continue;
    }
    const appKey = `${env.instance}\u0000${row.applicationName}`;
    if (!keysByApp.has(appKey)) {
      keysByApp.set(
        appKey,
        (async () => {
          const app = await apim.call(c =>
            c.findApplicationByName(row.applicationName!),
          );
          return {
            app,
            keys: app
              ? await apim.call(c => c.listOAuthKeys(app.applicationId))
              : [],
          };
        })(),
      );
    }
    let found: { app?: ApimApplication; keys: ApimApplicationKey[] };
    try {
      found = await keysByApp.get(appKey)!;
    } catch (error) {
      deps.logger.warn(
        `Could not check for a late mapping of audit row ${row.id}: ${
          (error as Error).message
        }`,
      );
      continue;
    }
    const key = found.keys.find(
      k =>
        k.keyManager === row.keyManager &&
        k.keyType === env.keyType &&
        k.consumerKey === row.consumerKey,
    );
    if (!key || !found.app) continue;
    const mapping = mappingOf({
      entityRef: row.entityRef,
      env,
      app: found.app,
      key,
      provisionedBy: row.actor,
      provisionedAt: new Date(row.startedAt),
    });
    // The mapping and the row that says where it came from, in one transaction.
    await deps.trail.recordWithMapping(
      {
        action: 'provision',
        actor: row.actor,
        source: row.source,
        via: 'reconcile-job',
        taskId: row.taskId,
        entityRef: row.entityRef,
        environment: env.id,
        instance: env.instance,
        keyType: env.keyType,
        keyManager: key.keyManager,
        applicationId: found.app.applicationId,
        applicationName: found.app.name,
        consumerKey: key.consumerKey,
        requestId: row.requestId,
      },
      {
        outcome: 'succeeded',
        keyMappingId: key.keyMappingId,
        resolution: 'ADOPTED_BY_JOB',
        note: `API-M wrote this mapping after attempt ${row.id} had failed (${row.errorCode}); Backstage now records it`,
      },
      { record: mapping },
    );
    report.adopted += 1;
  }
}
