/**
 * The drift check of one application's recorded mappings: one key listing (CONTRACT.md 7.1), the
 * single-mapping read only for a mapping the listing lacks (CONTRACT.md 7.2), the key-manager
 * listing only to tell a disabled key manager from a removal (CONTRACT.md 5.1, 7.1). A mapping
 * API-M no longer holds, or holds with another client, was changed outside Backstage (drift); it
 * is flagged, and the flag cleared when API-M agrees again. Every call goes through the
 * instance's gate (InstanceGate.ts).
 */
import type { MappingRecord } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { ApimError } from '../../apim/ApimError';
import type { ApimApplicationKey, ApimKeyManager } from '../../apim/types';
import type { PositionedMapping } from '../../database/ReconcileProgressStore';
import { isDisabled } from '../disabledKeyManagers';
import { SingleRead, driftVerdict } from '../driftConfirmation';
import { InstanceSkippedError } from './InstanceGate';
import type { GatedApim, ReconcileDeps, ReconcileReport } from './types';

/**
 * What one run knows across applications. `suspectedBefore` are the mappings the previous run saw
 * missing without proof (driftConfirmation.ts), by suspect id -> row id; `suspects` collects this
 * run's. Kept in memory: a run on another replica merely starts the two-observation count again.
 */
export interface DriftRunState {
  suspectedBefore: Map<string, number>;
  suspects: Map<string, number>;
  /** One key-manager listing per instance per run, read only when a mapping is missing. */
  keyManagers: Map<string, Promise<ApimKeyManager[] | undefined>>;
}

export const suspectId = (m: MappingRecord) =>
  `${m.instance}\u0000${m.applicationId}\u0000${m.keyMappingId}`;

/**
 * Checks the mappings of one application (all of `group` share instance and applicationId).
 * Counts into `report`; rethrows {@link InstanceSkippedError} so the caller stops that instance;
 * any other failure is logged and leaves the rows as they are.
 */
export async function checkApplication(
  deps: ReconcileDeps,
  apim: GatedApim,
  group: PositionedMapping[],
  state: DriftRunState,
  report: ReconcileReport,
): Promise<void> {
  const first = group[0].mapping;
  let keys: ApimApplicationKey[];
  try {
    keys = await apim.call(
      c => c.listOAuthKeys(first.applicationId),
      error => error instanceof ApimError && error.is(404),
    );
  } catch (error) {
    if (error instanceof ApimError && error.is(404)) keys = [];
    else {
      if (error instanceof InstanceSkippedError) throw error;
      deps.logger.warn(
        `Drift check skipped for ${first.applicationName}: ${
          (error as Error).message
        }`,
      );
      return;
    }
  }
  for (const { id, mapping } of group) {
    await checkMapping(deps, apim, { id, mapping }, keys, state, report);
  }
}

async function keyManagerDisabled(
  apim: GatedApim,
  state: DriftRunState,
  name: string,
): Promise<boolean> {
  if (!state.keyManagers.has(apim.instanceId)) {
    state.keyManagers.set(
      apim.instanceId,
      apim.call(c => c.listKeyManagers()).catch(() => undefined),
    );
  }
  const kms = await state.keyManagers.get(apim.instanceId)!;
  // Unknown: do not call it drift on a guess.
  return kms ? isDisabled(kms, name) : true;
}

async function checkMapping(
  deps: ReconcileDeps,
  apim: GatedApim,
  { id, mapping }: PositionedMapping,
  keys: ApimApplicationKey[],
  state: DriftRunState,
  report: ReconcileReport,
) {
  report.checked += 1;
  const key = keys.find(
    k => k.keyManager === mapping.keyManager && k.keyType === mapping.keyType,
  );
  if (!key && (await keyManagerDisabled(apim, state, mapping.keyManager)))
    return;
  // One listing is no proof of removal (CONTRACT.md 7.1, 14.1): confirm first. 500/500 is the
  // single read's answer for an unknown mapping, not a fault of the instance.
  const single: SingleRead | undefined = key
    ? undefined
    : await apim
        .call(
          c => c.getOAuthKey(mapping.applicationId, mapping.keyMappingId),
          error => error instanceof ApimError && error.is(500, 500),
        )
        .then(
          found =>
            found
              ? { kind: 'found' as const, key: found }
              : { kind: 'no-application' as const },
          error => {
            if (error instanceof InstanceSkippedError) throw error;
            return { kind: 'error' as const, error };
          },
        );
  const sid = suspectId(mapping);
  const verdict = driftVerdict(
    mapping.consumerKey,
    key,
    single,
    state.suspectedBefore.has(sid),
  );
  if (verdict.suspect) state.suspects.set(sid, id);
  if (verdict.reason === undefined) return;
  const reason = verdict.reason;
  if (reason && mapping.state !== 'drifted') report.drifted += 1;
  if (!reason && mapping.state === 'drifted') report.restored += 1;
  if (
    (reason ?? null) !== (mapping.driftReason ?? null) ||
    (reason ? 'drifted' : 'active') !== mapping.state
  ) {
    await deps.stores.mappings.markDrift(mapping, reason);
    // Once per finding: a mapping already flagged is not announced again each run.
    if (reason && mapping.state !== 'drifted') {
      await deps.notifier?.drifted({
        entityRef: mapping.entityRef,
        environment: mapping.environment,
        keyManager: mapping.keyManager,
        consumerKey: mapping.consumerKey,
        reason,
      });
    }
  }
}
