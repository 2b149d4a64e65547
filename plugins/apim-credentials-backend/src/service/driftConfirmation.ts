/**
 * Whether a recorded mapping that API-M's key listing does not show is really gone. The listing
 * silently skips a row whose key manager answered with an error (CONTRACT.md 7.1, 14.1), so one
 * listing is not proof: the single-mapping read (CONTRACT.md 7.2) is asked, and when it cannot
 * tell, the mapping is flagged only after a second consecutive observation. Reasons say what
 * was observed.
 */
import { ApimError } from '../apim/ApimError';
import type { ApimApplicationKey } from '../apim/types';

/** What `GET /applications/{id}/oauth-keys/{keyMappingId}` said. */
export type SingleRead =
  | { kind: 'found'; key: ApimApplicationKey }
  /** 200 with an empty body: API-M's answer for an unknown application. */
  | { kind: 'no-application' }
  | { kind: 'error'; error: unknown };

export interface DriftVerdict {
  /** The drift reason to record; `null` for in line; `undefined` to leave the row as it is. */
  reason: string | null | undefined;
  /** Seen missing but not proven gone: flagged if the next run sees it missing again. */
  suspect: boolean;
}

const READ = 'GET .../oauth-keys/{keyMappingId}';

/**
 * Decides about one recorded mapping.
 *
 * @param consumerKey - the client Backstage recorded for the cell
 * @param listed - the listing's entry for the cell (key manager + key type), if any
 * @param single - the single-mapping read, only needed when `listed` is absent
 * @param suspectedBefore - whether the previous run saw it missing without proof
 */
export function driftVerdict(
  consumerKey: string,
  listed: ApimApplicationKey | undefined,
  single: SingleRead | undefined,
  suspectedBefore: boolean,
): DriftVerdict {
  const other = (key: ApimApplicationKey) =>
    `API-M now maps client "${key.consumerKey}" here, not the one Backstage provisioned`;
  if (listed) {
    return {
      reason: listed.consumerKey === consumerKey ? null : other(listed),
      suspect: false,
    };
  }
  if (!single) return { reason: undefined, suspect: false };
  if (single.kind === 'found') {
    // The listing skipped a row that exists: its key manager answered with an error.
    return {
      reason: single.key.consumerKey === consumerKey ? null : other(single.key),
      suspect: false,
    };
  }
  if (single.kind === 'no-application') {
    return {
      reason: `The mapping was removed in API-M outside Backstage: the application is gone (its key listing lacked the mapping and ${READ} found no application)`,
      suspect: false,
    };
  }
  const error = single.error;
  if (error instanceof ApimError && error.is(500, 500)) {
    // WSO2's answer for an unknown mapping (a null row), but also for other internal failures.
    return suspectedBefore
      ? {
          reason: `The mapping was removed in API-M outside Backstage: missing from API-M's key listing on two consecutive checks, and ${READ} answered HTTP 500 (API-M's answer for an unknown mapping) both times`,
          suspect: false,
        }
      : { reason: undefined, suspect: true };
  }
  // 900967 means API-M found the row and then failed asking its key manager: the mapping
  // exists. Timeouts and other failures prove nothing either way.
  return { reason: undefined, suspect: false };
}
