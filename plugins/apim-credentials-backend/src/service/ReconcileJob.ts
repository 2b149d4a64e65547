/**
 * The scheduled job that keeps the audit trail and the mapping table honest:
 * - a `pending` audit row older than a few minutes means the backend died between writing it and
 *   API-M's answer; ask API-M what happened and complete the row;
 * - a recorded mapping that API-M no longer holds, or holds with another client, was changed
 *   outside Backstage (drift); flag it, and clear the flag when API-M agrees again.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import type {
  AuditRecord,
  MappingRecord,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { ApimClient } from '../apim/ApimClient';
import { ApimError } from '../apim/ApimError';
import type {
  ApimApplication,
  ApimApplicationKey,
  ApimKeyManager,
} from '../apim/types';

/** Failures after which API-M may still have written the mapping. */
const INCONCLUSIVE_CODES = [
  'APIM_TIMEOUT',
  'APIM_UNREACHABLE',
  'APIM_MALFORMED_RESPONSE',
];
import type { ApimCredentialsConfig } from '../config';
import { ApimCredentialsStore } from '../database/ApimCredentialsStore';
import { mappingOf } from './mappingOf';
import { isDisabled } from './disabledKeyManagers';
import { SingleRead, driftVerdict } from './driftConfirmation';

export interface ReconcileReport {
  resolved: number;
  /** Mappings API-M wrote after the request that asked for them had timed out or broken. */
  adopted: number;
  stillPending: number;
  drifted: number;
  restored: number;
}

export class ReconcileJob {
  /**
   * Mappings the last run saw missing without proof (driftConfirmation.ts). Kept in memory: a
   * run on another replica merely starts the two-observation count again.
   */
  private suspects = new Set<string>();

  constructor(
    private readonly deps: {
      config: ApimCredentialsConfig;
      clients: Map<string, ApimClient>;
      store: ApimCredentialsStore;
      logger: LoggerService;
    },
  ) {}

  async run(now = new Date()): Promise<ReconcileReport> {
    const report: ReconcileReport = {
      resolved: 0,
      adopted: 0,
      stillPending: 0,
      drifted: 0,
      restored: 0,
    };
    await this.resolvePending(now, report);
    await this.adoptLateMappings(now, report);
    await this.detectDrift(report);
    if (
      report.resolved ||
      report.adopted ||
      report.drifted ||
      report.restored
    ) {
      this.deps.logger.info(
        `Reconciled API-M credentials: ${report.resolved} pending attempts resolved, ${report.adopted} late mappings recorded, ${report.drifted} mappings drifted, ${report.restored} back in line`,
      );
    }
    return report;
  }

  private async resolvePending(now: Date, report: ReconcileReport) {
    const olderThan = new Date(
      now.getTime() - this.deps.config.reconcile.pendingAfterSeconds * 1000,
    );
    const pending = await this.deps.store.listPendingAudits(olderThan);
    for (const row of pending) {
      try {
        await this.resolve(row);
        report.resolved += 1;
      } catch (error) {
        report.stillPending += 1;
        this.deps.logger.warn(
          `Could not resolve pending audit row ${row.id} yet: ${
            (error as Error).message
          }`,
        );
      }
    }
  }

  private async resolve(row: AuditRecord) {
    const env = this.deps.config.environments.find(
      e => e.id === row.environment,
    );
    const client = env && this.deps.clients.get(env.instance);
    const interrupted =
      'The request was interrupted before it completed (backend restart or crash)';
    if (
      !env ||
      !client ||
      !row.applicationName ||
      (row.action !== 'provision' &&
        row.action !== 'unprovision' &&
        row.action !== 'create-application')
    ) {
      await this.deps.store.completeAudit(row.id, {
        outcome: 'failed',
        errorCode: 'INTERRUPTED',
        errorMessage: interrupted,
      });
      return;
    }
    const app = await client.findApplicationByName(row.applicationName);
    if (row.action === 'create-application') {
      await this.deps.store.completeAudit(
        row.id,
        app
          ? {
              outcome: 'succeeded',
              applicationId: app.applicationId,
              errorCode: 'RESOLVED_BY_JOB',
              errorMessage: `${interrupted}; API-M holds the application`,
            }
          : {
              outcome: 'failed',
              errorCode: 'INTERRUPTED',
              errorMessage: `${interrupted}; API-M has no such application`,
            },
      );
      return;
    }
    const keys = app ? await client.listOAuthKeys(app.applicationId) : [];
    const key = keys.find(
      k =>
        k.keyManager === row.keyManager &&
        k.keyType === row.keyType &&
        (row.action === 'unprovision' || k.consumerKey === row.consumerKey),
    );
    if (row.action === 'provision') {
      if (key && app) {
        await this.deps.store.upsertMapping(
          mappingOf({
            entityRef: row.entityRef!,
            env,
            app,
            key,
            provisionedBy: row.actor,
            provisionedAt: new Date(row.startedAt),
          }),
        );
        await this.deps.store.completeAudit(row.id, {
          outcome: 'succeeded',
          applicationId: app.applicationId,
          applicationName: app.name,
          keyMappingId: key.keyMappingId,
          errorCode: 'RESOLVED_BY_JOB',
          errorMessage: `${interrupted}; API-M holds the mapping, so it is recorded as made`,
        });
      } else {
        await this.deps.store.completeAudit(row.id, {
          outcome: 'failed',
          errorCode: 'INTERRUPTED',
          errorMessage: `${interrupted}; API-M holds no such mapping, nothing was changed`,
        });
      }
      return;
    }
    // unprovision
    if (key) {
      await this.deps.store.completeAudit(row.id, {
        outcome: 'failed',
        errorCode: 'INTERRUPTED',
        errorMessage: `${interrupted}; the mapping is still in API-M`,
        keyMappingId: key.keyMappingId,
        consumerKey: key.consumerKey,
      });
    } else {
      await this.deps.store.deleteMapping({
        entityRef: row.entityRef!,
        environment: env.id,
        keyManager: row.keyManager!,
      });
      await this.deps.store.completeAudit(row.id, {
        outcome: 'succeeded',
        errorCode: 'RESOLVED_BY_JOB',
        errorMessage: `${interrupted}; API-M no longer holds the mapping, so it is recorded as removed`,
      });
    }
  }

  /**
   * A map-keys call that timed out, broke or answered garbage was completed as failed, but API-M
   * may have written the mapping after we gave up (CONTRACT.md 9.3). Find such mappings among
   * recent inconclusive attempts and record them, with an audit row saying so, so that no
   * mapping exists in API-M that Backstage does not know about.
   */
  private async adoptLateMappings(now: Date, report: ReconcileReport) {
    const since = new Date(
      now.getTime() -
        this.deps.config.reconcile.lateMappingWindowMinutes * 60_000,
    );
    const rows = await this.deps.store.listInconclusiveProvisions(
      since,
      INCONCLUSIVE_CODES,
    );
    const keysByApp = new Map<
      string,
      Promise<{ app?: ApimApplication; keys: ApimApplicationKey[] }>
    >();
    for (const row of rows) {
      const env = this.deps.config.environments.find(
        e => e.id === row.environment,
      );
      const client = env && this.deps.clients.get(env.instance);
      if (
        !env ||
        !client ||
        !row.applicationName ||
        !row.entityRef ||
        !row.keyManager ||
        !row.consumerKey
      )
        continue;
      const recorded = await this.deps.store.getMappingsForEntity(
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
            const app = await client.findApplicationByName(
              row.applicationName!,
            );
            return {
              app,
              keys: app ? await client.listOAuthKeys(app.applicationId) : [],
            };
          })(),
        );
      }
      let found: { app?: ApimApplication; keys: ApimApplicationKey[] };
      try {
        found = await keysByApp.get(appKey)!;
      } catch (error) {
        this.deps.logger.warn(
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
      await this.deps.store.upsertMapping(
        mappingOf({
          entityRef: row.entityRef,
          env,
          app: found.app,
          key,
          provisionedBy: row.actor,
          provisionedAt: new Date(row.startedAt),
        }),
      );
      await this.deps.store.recordAudit(
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
          errorCode: 'ADOPTED_BY_JOB',
          errorMessage: `API-M wrote this mapping after attempt ${row.id} had failed (${row.errorCode}); Backstage now records it`,
        },
      );
      report.adopted += 1;
    }
  }

  private async detectDrift(report: ReconcileReport) {
    // Group by application so each application's keys are read once.
    const byApp = new Map<string, MappingRecord[]>();
    for await (const mapping of this.deps.store.streamMappings()) {
      const key = `${mapping.instance}\u0000${mapping.applicationId}`;
      byApp.set(key, [...(byApp.get(key) ?? []), mapping]);
    }
    // Read only when a mapping is missing: API-M hides a disabled key manager's mappings from
    // its listing but keeps them (CONTRACT.md 7.1), which is not drift. One read per instance.
    const keyManagers = new Map<
      string,
      Promise<ApimKeyManager[] | undefined>
    >();
    const disabled = async (client: ApimClient, name: string) => {
      if (!keyManagers.has(client.instanceId)) {
        keyManagers.set(
          client.instanceId,
          client.listKeyManagers().catch(() => undefined),
        );
      }
      const kms = await keyManagers.get(client.instanceId)!;
      // Unknown: do not call it drift on a guess.
      return kms ? isDisabled(kms, name) : true;
    };
    const suspects = new Set<string>();
    for (const mappings of byApp.values()) {
      const client = this.deps.clients.get(mappings[0].instance);
      if (!client) continue;
      let keys: ApimApplicationKey[];
      try {
        keys = await client.listOAuthKeys(mappings[0].applicationId);
      } catch (error) {
        if (error instanceof ApimError && error.is(404)) keys = [];
        else {
          this.deps.logger.warn(
            `Drift check skipped for ${mappings[0].applicationName}: ${
              (error as Error).message
            }`,
          );
          continue;
        }
      }
      for (const mapping of mappings) {
        const key = keys.find(
          k =>
            k.keyManager === mapping.keyManager &&
            k.keyType === mapping.keyType,
        );
        if (!key && (await disabled(client, mapping.keyManager))) continue;
        // One listing is no proof of removal (CONTRACT.md 7.1, 14.1): confirm first.
        const single: SingleRead | undefined = key
          ? undefined
          : await client
              .getOAuthKey(mapping.applicationId, mapping.keyMappingId)
              .then(
                found =>
                  found
                    ? { kind: 'found' as const, key: found }
                    : { kind: 'no-application' as const },
                error => ({ kind: 'error' as const, error }),
              );
        const suspectId = `${mapping.instance}\u0000${mapping.applicationId}\u0000${mapping.keyMappingId}`;
        const verdict = driftVerdict(
          mapping.consumerKey,
          key,
          single,
          this.suspects.has(suspectId),
        );
        if (verdict.suspect) suspects.add(suspectId);
        if (verdict.reason === undefined) continue;
        const reason = verdict.reason;
        if (reason && mapping.state !== 'drifted') report.drifted += 1;
        if (!reason && mapping.state === 'drifted') report.restored += 1;
        if (
          (reason ?? null) !== (mapping.driftReason ?? null) ||
          (reason ? 'drifted' : 'active') !== mapping.state
        ) {
          await this.deps.store.markDrift(mapping, reason);
        }
      }
    }
    this.suspects = suspects;
  }
}
