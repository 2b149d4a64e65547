/**
 * What a removal may remove (issue 10, item 2). Backstage removes only clients it can have
 * mapped: a key API-M *generated* (mode CREATED) is deleted in its key manager by API-M 4.3+'s
 * DELETE (CONTRACT.md 9.2), irreversibly, so it is refused; and the caller names the client it
 * means to remove, so a client mapped into the slot meanwhile is never removed by mistake.
 *
 * A record the drift job flagged (`drifted`: API-M no longer holds that mapping, or holds another
 * client) is removed from Backstage only: API-M's mapping goes too only when API-M still holds
 * exactly the recorded mapping (same keyMappingId and consumer key). "Remove stale record" must
 * never remove a live client that someone mapped in API-M after the drift.
 */
import { ConflictError } from '@backstage/errors';
import type { MappingRecord } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { ApimApplicationKey } from '../apim/types';
import { coded } from '../errors';

/**
 * Throws when the key in the slot must not be removed by this request.
 *
 * @param key - the key API-M lists in the (key type, key manager) slot, if any
 * @param input - the slot and the consumer key the caller means to remove
 * @throws ConflictError (409) with code KEY_GENERATED_IN_APIM for a generated key, or
 *   CONSUMER_KEY_MISMATCH when another client sits in the slot
 */
export function checkRemoval(
  key: ApimApplicationKey | undefined,
  input: { keyManager: string; environment: string; consumerKey: string },
  env: { keyType: string },
): void {
  if (!key) return;
  // CONTRACT.md 6.4: map-keys stores mode MAPPED; generate-keys stores CREATED.
  if (key.mode && key.mode !== 'MAPPED') {
    throw coded(
      new ConflictError(
        `The ${env.keyType} key of key manager "${input.keyManager}" in environment "${input.environment}" (client "${key.consumerKey}") was generated in API-M; remove it in the Developer Portal. Backstage removes only clients it mapped.`,
      ),
      'KEY_GENERATED_IN_APIM',
    );
  }
  if (key.consumerKey !== input.consumerKey) {
    throw coded(
      new ConflictError(
        `Environment "${input.environment}" holds client "${key.consumerKey}" for key manager "${input.keyManager}", not "${input.consumerKey}"; nothing was removed. Reload and remove the client that is mapped there, if that is what you mean.`,
      ),
      'CONSUMER_KEY_MISMATCH',
    );
  }
}

/** The audit code of a removal that dropped only Backstage's drifted record. */
export const STALE_RECORD_REMOVED = 'STALE_RECORD_REMOVED';

/** What one removal does. */
export interface RemovalPlan {
  /** The mapping to remove in API-M; undefined: nothing there that is ours to remove. */
  apimKey?: ApimApplicationKey;
  /** What the answer and the audit row name as removed (the recorded key for a stale record). */
  reported?: { consumerKey: string; keyMappingId: string };
  /**
   * Set when only Backstage's drifted record goes: the recorded client and mapping id, the drift
   * reason, and what API-M holds in the slot (which stays).
   */
  staleNote?: string;
}

/**
 * Decides a removal from the key API-M holds in the slot and Backstage's record of the cell.
 *
 * @param key - the key API-M lists in the (key type, key manager) slot, if any
 * @param record - Backstage's mapping row of the cell, if any
 * @param input - the slot and the consumer key the caller means to remove
 * @throws as {@link checkRemoval} when the record is not a drifted record of the named client
 */
export function planRemoval(
  key: ApimApplicationKey | undefined,
  record:
    | Pick<
        MappingRecord,
        'state' | 'consumerKey' | 'keyMappingId' | 'driftReason'
      >
    | undefined,
  input: { keyManager: string; environment: string; consumerKey: string },
  env: { keyType: string },
): RemovalPlan {
  if (record?.state === 'drifted' && record.consumerKey === input.consumerKey) {
    const stillTheRecordedMapping =
      key !== undefined &&
      key.keyMappingId === record.keyMappingId &&
      key.consumerKey === record.consumerKey;
    if (!stillTheRecordedMapping) {
      let held = 'API-M holds no mapping in this slot';
      if (key && key.consumerKey === record.consumerKey)
        held = `API-M holds that client under another mapping (${key.keyMappingId}), which stays`;
      else if (key)
        held = `API-M holds client "${key.consumerKey}" in this slot, which stays`;
      return {
        reported: {
          consumerKey: record.consumerKey,
          keyMappingId: record.keyMappingId,
        },
        staleNote: `Removed only Backstage's stale record of client "${
          record.consumerKey
        }" (mapping ${record.keyMappingId}${
          record.driftReason ? `; drift: ${record.driftReason}` : ''
        }); ${held}.`,
      };
    }
  }
  checkRemoval(key, input, env);
  return { apimKey: key, reported: key };
}
