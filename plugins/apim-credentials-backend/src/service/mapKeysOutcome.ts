/**
 * What WSO2's answer to map-keys means, decided from that answer and the application's key
 * listing taken right after it (CONTRACT.md 6.5 as corrected by 14.1). Pure: no I/O, so every
 * combination is a row of a table test; the caller performs what the outcome asks for.
 */
import { ConflictError } from '@backstage/errors';
import { ApimError } from '../apim/ApimError';
import type { ApimApplicationKey } from '../apim/types';
import { coded } from '../errors';
import { classifyMapKeysFailure } from './mapKeysFailures';

/** The mapping a provisioning asked map-keys for. */
export interface WantedMapping {
  consumerKey: string;
  keyManager: string;
  keyType: ApimApplicationKey['keyType'];
}

/** map-keys answered with the mapping, or failed with an ApimError. */
export type MapKeysAnswer = { key: ApimApplicationKey } | { error: ApimError };

/** A 409 for a mapping that is not the wanted one: who holds the slot or the client. */
export type MapKeysConflict =
  /** The client is this application's key of the other key type. */
  | { kind: 'other-key-type'; key: ApimApplicationKey }
  /** The application's slot (key manager, key type) holds another client. */
  | { kind: 'slot-taken'; key: ApimApplicationKey }
  /** Neither: the client is mapped to another application of that key manager. */
  | { kind: 'other-application' };

export type MapKeysOutcome =
  /** map-keys answered with the new mapping. */
  | { kind: 'created'; key: ApimApplicationKey }
  /** 409 and the listing holds exactly the wanted mapping: idempotent success. */
  | { kind: 'unchanged'; key: ApimApplicationKey }
  /**
   * map-keys failed but the listing holds the wanted mapping: WSO2 wrote the row and failed
   * after it (token minting, CONTRACT 6.5 and 14.1 6.4), or the answer was lost. API-M validated
   * the credentials before writing, so the mapping is kept as created.
   */
  | { kind: 'leftover-mapping'; key: ApimApplicationKey }
  | MapKeysConflict
  /**
   * 500/900967 not explained by the listing: a wrong secret, an unknown client and a key
   * manager answering with an error look the same (CONTRACT 6.5); only the key manager can tell.
   */
  | { kind: 'opaque-900967' }
  /** 500/500 and the client is not in the listing: API-M could not reach the key manager (14.1). */
  | { kind: 'key-manager-unreachable-from-apim' }
  /** Anything else (including an unreadable listing): the error stands as it is. */
  | { kind: 'failed' };

function sameMapping(k: ApimApplicationKey, wanted: WantedMapping): boolean {
  return (
    k.keyManager === wanted.keyManager &&
    k.keyType === wanted.keyType &&
    k.consumerKey === wanted.consumerKey
  );
}

/** The listing's key that is exactly the wanted mapping, if any. */
export function findWantedMapping(
  keys: readonly ApimApplicationKey[],
  wanted: WantedMapping,
): ApimApplicationKey | undefined {
  return keys.find(k => sameMapping(k, wanted));
}

/**
 * Why the wanted mapping conflicts with this application's listing (the listing has no exact
 * match). `other-application` when the listing does not explain a conflict: the client must be
 * mapped elsewhere, since WSO2 allows a client once per key manager (CONTRACT 6.5).
 */
export function conflictInListing(
  keys: readonly ApimApplicationKey[],
  wanted: WantedMapping,
): MapKeysConflict {
  const otherType = keys.find(
    k =>
      k.keyManager === wanted.keyManager &&
      k.consumerKey === wanted.consumerKey &&
      k.keyType !== wanted.keyType,
  );
  if (otherType) return { kind: 'other-key-type', key: otherType };
  const slot = keys.find(
    k => k.keyManager === wanted.keyManager && k.keyType === wanted.keyType,
  );
  if (slot) return { kind: 'slot-taken', key: slot };
  return { kind: 'other-application' };
}

/**
 * Decides what a map-keys answer means.
 *
 * @param answer what map-keys answered (after the not-loaded retries of mapKeysWhenLoaded)
 * @param keys the application's key listing read after a failure; `undefined` when it could
 *   not be read (then only a 500/500 is interpreted, everything else stays `failed`)
 */
export function mapKeysOutcome(
  answer: MapKeysAnswer,
  keys: readonly ApimApplicationKey[] | undefined,
  wanted: WantedMapping,
): MapKeysOutcome {
  if ('key' in answer) return { kind: 'created', key: answer.key };
  const { error } = answer;
  // A transport failure behind API-M fails the listing too; a client that is listed was mapped.
  if (
    !keys?.some(k => k.consumerKey === wanted.consumerKey) &&
    classifyMapKeysFailure(error) === 'key-manager-unreachable-from-apim'
  ) {
    return { kind: 'key-manager-unreachable-from-apim' };
  }
  if (!keys) return { kind: 'failed' };
  const same = findWantedMapping(keys, wanted);
  if (error.is(409)) {
    return same
      ? { kind: 'unchanged', key: same }
      : conflictInListing(keys, wanted);
  }
  if (same) return { kind: 'leftover-mapping', key: same };
  if (error.is(500, 900967)) return { kind: 'opaque-900967' };
  return { kind: 'failed' };
}

/**
 * The 409 for a conflict, with a message that says what holds the slot or the client and what
 * to do. Codes: `OTHER_KEY_TYPE`, `SLOT_TAKEN`, `MAPPED_ELSEWHERE`.
 */
export function conflictError(
  conflict: MapKeysConflict,
  context: {
    consumerKey: string;
    keyManager: string;
    keyType: string;
    environment: string;
    applicationName: string;
  },
): ConflictError {
  const { consumerKey, keyManager, keyType, environment, applicationName } =
    context;
  switch (conflict.kind) {
    case 'other-key-type':
      return coded(
        new ConflictError(
          `Client "${consumerKey}" is already the ${conflict.key.keyType} key of application "${applicationName}" in key manager "${keyManager}"; one client cannot be both key types. Use another client for ${keyType}.`,
        ),
        'OTHER_KEY_TYPE',
      );
    case 'slot-taken':
      return coded(
        new ConflictError(
          `Environment "${environment}" already has client "${conflict.key.consumerKey}" mapped as the ${keyType} key of application "${applicationName}" in key manager "${keyManager}" (keyMappingId ${conflict.key.keyMappingId}). Remove that mapping first to provide another client.`,
        ),
        'SLOT_TAKEN',
      );
    default:
      return coded(
        new ConflictError(
          `Client "${consumerKey}" is already mapped to another API-M application in key manager "${keyManager}"; a client can be mapped only once per key manager. Remove it there first.`,
        ),
        'MAPPED_ELSEWHERE',
      );
  }
}
