/** What the reconcile job's parts share (ReconcileJob.ts and the modules beside this file). */
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { ApimClient } from '../../apim/ApimClient';
import type { ApimCredentialsConfig } from '../../config';
import type { ApimCredentialsStores } from '../../database/stores';
import type { OwnerNotifier } from '../../notifications/ownerNotifications';
import type { AuditTrail } from '../AuditTrail';

export interface ReconcileReport {
  resolved: number;
  /** Mappings API-M wrote after the request that asked for them had timed out or broken. */
  adopted: number;
  stillPending: number;
  drifted: number;
  restored: number;
  /** Mappings whose drift check ran this run (the run's slice plus last run's suspects). */
  checked: number;
  /** Instances skipped for the rest of the run after consecutive failures (InstanceGate.ts). */
  skippedInstances: string[];
  /** Approval requests that ran out this run (issue 14). */
  expiredRequests?: number;
}

/** One instance's client, called only under that instance's caps and circuit for this run. */
export interface GatedApim {
  instanceId: string;
  call<T>(
    fn: (client: ApimClient) => Promise<T>,
    expected?: (error: unknown) => boolean,
  ): Promise<T>;
  readonly isSkipped: boolean;
}

export interface ReconcileDeps {
  config: ApimCredentialsConfig;
  stores: ApimCredentialsStores;
  /** Completes the rows the job resolves, with the mapping change in the same transaction. */
  trail: AuditTrail;
  /** Tells an entity's owners when the job finds their mapping changed outside Backstage. */
  notifier?: Pick<OwnerNotifier, 'drifted'>;
  logger: LoggerService;
  /** The gated client of an instance; undefined for an instance no longer configured. */
  apim(instanceId: string): GatedApim | undefined;
}
