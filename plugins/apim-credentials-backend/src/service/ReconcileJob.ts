/**
 * The scheduled job that keeps the audit trail and the mapping table honest:
 * - a `pending` audit row older than a few minutes means the backend died between writing it and
 *   API-M's answer; ask API-M what happened and complete the row (drift/pendingAudits.ts);
 * - a map-keys call that timed out may have mapped anyway; record such mappings
 *   (drift/lateMappings.ts);
 * - a recorded mapping that API-M no longer holds, or holds with another client, was changed
 *   outside Backstage (drift); flag it, and clear the flag when API-M agrees again
 *   (drift/checkApplication.ts), a slice per run so that every mapping is checked within
 *   `reconcile.checkEveryMappingWithin` (drift/slices.ts).
 * Each run presses each API-M instance at most `reconcile.maxConcurrency` calls at a time and
 * `reconcile.maxRequestsPerSecond`, and skips an instance for the rest of the run after
 * `reconcile.skipInstanceAfterFailures` consecutive faults (drift/InstanceGate.ts).
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import type { ApimInstances } from '../apim/ApimInstances';
import type { ApimCredentialsConfig } from '../config';
import type { ApimCredentialsStores } from '../database/stores';
import type { OwnerNotifier } from '../notifications/ownerNotifications';
import type { ApprovalService } from './approvals/ApprovalService';
import { AuditTrail } from './AuditTrail';
import { InstanceGate } from './drift/InstanceGate';
import {
  DriftRunState,
  checkApplication,
  suspectId,
} from './drift/checkApplication';
import { adoptLateMappings } from './drift/lateMappings';
import { resolvePendingAudits } from './drift/pendingAudits';
import { byApplication, checkEnvironmentSlice } from './drift/slices';
import { InstanceSkippedError } from './drift/InstanceGate';
import type { GatedApim, ReconcileDeps, ReconcileReport } from './drift/types';

export type { ReconcileReport } from './drift/types';

/** Share of the period a run may take before it stops and leaves the rest to the next run. */
const DEADLINE_SHARE = 0.8;

export class ReconcileJob {
  /** Mappings the last run saw missing without proof (driftConfirmation.ts): suspect id -> row id. */
  private suspects = new Map<string, number>();

  constructor(
    private readonly deps: {
      config: ApimCredentialsConfig;
      instances: ApimInstances;
      stores: ApimCredentialsStores;
      logger: LoggerService;
      /** The audit trail shared with the routes; one over `stores` when not given. */
      trail?: AuditTrail;
      /** Tells an entity's owners when their mapping drifted (issue 14 item 2). */
      notifier?: Pick<OwnerNotifier, 'drifted'>;
      /** Expires approval requests past their time (issue 14 item 1). */
      approvals?: Pick<ApprovalService, 'expireDue'>;
    },
  ) {
    this.trail =
      deps.trail ??
      new AuditTrail({ stores: deps.stores, logger: deps.logger });
  }

  private readonly trail: AuditTrail;

  /**
   * One run: pending rows, late mappings, then the drift slice of every environment (instances in
   * parallel, each under its own caps). Failures of API-M never reject the run; they are logged
   * and counted. Database failures do reject it (the scheduler logs and retries next period).
   */
  async run(now = new Date()): Promise<ReconcileReport> {
    const report: ReconcileReport = {
      resolved: 0,
      adopted: 0,
      stillPending: 0,
      drifted: 0,
      restored: 0,
      checked: 0,
      skippedInstances: [],
    };
    const deps = this.runDeps(report);
    const { reconcile } = this.deps.config;
    const deadline = Date.now() + reconcile.periodMs * DEADLINE_SHARE;
    await resolvePendingAudits(deps, now, report);
    await adoptLateMappings(deps, now, report);
    // Database only: approval requests past their time become `expire-request` rows.
    report.expiredRequests = (await this.deps.approvals?.expireDue(now)) ?? 0;
    const state: DriftRunState = {
      suspectedBefore: this.suspects,
      suspects: new Map(),
      keyManagers: new Map(),
    };
    const alreadyChecked = await this.recheckSuspects(deps, state, report);
    await Promise.all(
      this.deps.config.environments.map(async env => {
        const apim = deps.apim(env.instance);
        if (!apim || apim.isSkipped) return;
        await checkEnvironmentSlice(deps, env, apim, {
          now,
          deadline,
          state,
          alreadyChecked,
          report,
        });
      }),
    );
    this.suspects = state.suspects;
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

  /** Fresh gates for this run: the circuit closes again at the start of every run. */
  private runDeps(report: ReconcileReport): ReconcileDeps {
    const { reconcile } = this.deps.config;
    const gated = new Map<string, GatedApim>();
    for (const [instanceId, client] of this.deps.instances.entries()) {
      const gate = new InstanceGate({
        instanceId,
        maxConcurrency: reconcile.maxConcurrency,
        maxRequestsPerSecond: reconcile.maxRequestsPerSecond,
        skipAfterFailures: reconcile.skipInstanceAfterFailures,
        onSkip: error => {
          report.skippedInstances.push(instanceId);
          this.deps.logger.warn(error.message);
        },
      });
      // The job's view of the client: its requests wait for the gate's pace as they are sent.
      const paced = client.pacedBy(gate.pace);
      gated.set(instanceId, {
        instanceId,
        call: (fn, expected) => gate.call(() => fn(paced), expected),
        get isSkipped() {
          return gate.isSkipped;
        },
      });
    }
    return {
      config: this.deps.config,
      stores: this.deps.stores,
      trail: this.trail,
      notifier: this.deps.notifier,
      logger: this.deps.logger,
      apim: id => gated.get(id),
    };
  }

  /**
   * The second observation of last run's suspects happens now, not when their slice comes round
   * again a day later. Returns their row ids so the slices do not check them twice.
   */
  private async recheckSuspects(
    deps: ReconcileDeps,
    state: DriftRunState,
    report: ReconcileReport,
  ): Promise<Set<number>> {
    const rows = await deps.stores.reconcileProgress.mappingsByIds([
      ...state.suspectedBefore.values(),
    ]);
    const groups = byApplication(
      rows.filter(r => state.suspectedBefore.has(suspectId(r.mapping))),
    );
    for (const group of groups) {
      const apim = deps.apim(group[0].mapping.instance);
      if (!apim) continue;
      try {
        await checkApplication(deps, apim, group, state, report);
      } catch (error) {
        if (!(error instanceof InstanceSkippedError)) throw error;
      }
    }
    return new Set(rows.map(r => r.id));
  }
}
