/**
 * `apimCredentials.environments[].approval` (issue 14 item 1): whether providing keys in the
 * environment needs a second person's approval, how long a request stays usable, and whom to
 * notify of new requests.
 */
import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';

/** An environment's approval settings, when it requires approval. */
export interface ApprovalSettings {
  required: true;
  /** How long a request stays pending, and then approved, before it expires; default 7 days. */
  expiresAfterMs: number;
  /** Entity refs (usually groups) notified of new requests; the approvers. */
  notify: string[];
}

const DEFAULT_EXPIRY = { days: 7 };
const MAX_EXPIRY_MS = 90 * 24 * 3600 * 1000;

/**
 * Reads `approval` of one environment (`environment` is that environment's config).
 *
 * @returns undefined when approval is not required
 * @throws via `fail` naming the key, for a duration that is unreadable, not positive or over
 *   90 days, or a `notify` entry that is not an entity ref
 */
export function readApprovalSettings(
  environment: Config,
  key: string,
  fail: (key: string, why: string) => never,
): ApprovalSettings | undefined {
  const approval = environment.getOptionalConfig('approval');
  if (!approval?.getOptionalBoolean('required')) return undefined;
  let expiresAfterMs = durationToMilliseconds(DEFAULT_EXPIRY);
  if (approval.has('expiresAfter')) {
    try {
      expiresAfterMs = durationToMilliseconds(
        readDurationFromConfig(approval, { key: 'expiresAfter' }),
      );
    } catch (error) {
      fail(`${key}.approval.expiresAfter`, (error as Error).message);
    }
    if (!(expiresAfterMs > 0 && expiresAfterMs <= MAX_EXPIRY_MS)) {
      fail(
        `${key}.approval.expiresAfter`,
        'must be more than 0 and at most 90 days',
      );
    }
  }
  const notify = approval.getOptionalStringArray('notify') ?? [];
  notify.forEach((ref, i) => {
    if (!/^[a-z]+:[^/\s]+\/[^/\s]+$/i.test(ref)) {
      fail(
        `${key}.approval.notify[${i}]`,
        `"${ref}" must be a full entity ref, e.g. group:default/platform-team`,
      );
    }
  });
  return { required: true, expiresAfterMs, notify };
}
