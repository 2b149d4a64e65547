/**
 * Rate limits of issue 10 items 3 and 5, counted in the database so that every replica counts
 * together (database/windowCounters.ts):
 * - verification and provisioning attempts, per actor and per consumer key, so that `POST /verify`
 *   and `PUT` are no oracle for guessing a client's secret: over the limit is a 429
 *   `RATE_LIMITED` with `Retry-After`, audited as a `denied` row;
 * - denied audit rows per actor x entity x action, so that nobody can bury an entity's history
 *   under their own denials: past the limit, denials still answer 403/429 and still reach
 *   Backstage's auditor, but add no row until the hour is over.
 */
import type { Config } from '@backstage/config';
import type { AuditStart } from '../database/AuditStore';
import type { WindowCounter } from '../database/windowCounters';
import { RateLimitedError } from '../errors';

/** `apimCredentials.rateLimits`, with its defaults. */
export interface RateLimitSettings {
  /** Length of a counting window for attempts; default 60. */
  windowSeconds: number;
  /** Verification and provisioning attempts one actor may make per window; default 30. */
  attemptsPerActor: number;
  /** Attempts with one consumer key (by anyone) per window; default 10. */
  attemptsPerConsumerKey: number;
  /** Denied audit rows per actor x entity x action per hour; default 10. */
  deniedAuditRowsPerHour: number;
}

const DENIED_ROWS_WINDOW_SECONDS = 3600;

/**
 * Reads `apimCredentials.rateLimits`; a value out of range fails start-up naming the key.
 *
 * @throws Error `Invalid configuration at apimCredentials.rateLimits.<key>: ...`
 */
export function readRateLimitSettings(root: Config): RateLimitSettings {
  const config = root.getOptionalConfig('apimCredentials.rateLimits');
  const read = (
    key: keyof RateLimitSettings,
    fallback: number,
    max: number,
  ) => {
    const value = config?.getOptionalNumber(key) ?? fallback;
    if (!(Number.isInteger(value) && value >= 1 && value <= max)) {
      throw new Error(
        `Invalid configuration at apimCredentials.rateLimits.${key}: must be a whole number between 1 and ${max}`,
      );
    }
    return value;
  };
  return {
    windowSeconds: read('windowSeconds', 60, 86_400),
    attemptsPerActor: read('attemptsPerActor', 30, 1_000_000),
    attemptsPerConsumerKey: read('attemptsPerConsumerKey', 10, 1_000_000),
    deniedAuditRowsPerHour: read('deniedAuditRowsPerHour', 10, 1_000_000),
  };
}

/** Whether a denied row may be written, and what it should add to its message. */
export interface DeniedRowDecision {
  write: boolean;
  /** Set on the last row written in a window: says that further denials are not rows. */
  note?: string;
}

export class AttemptLimits {
  constructor(
    private readonly counter: WindowCounter,
    readonly settings: RateLimitSettings,
  ) {}

  /**
   * Counts one verification or provisioning attempt.
   *
   * @throws RateLimitedError (429 `RATE_LIMITED`, `retryAfterSeconds`) when the actor or the
   *   consumer key is over its limit in the current window; the message says which.
   */
  async countAttempt(attempt: {
    actor: string;
    consumerKey: string;
  }): Promise<void> {
    const { windowSeconds, attemptsPerActor, attemptsPerConsumerKey } =
      this.settings;
    const [byActor, byKey] = await this.counter.hitMany(
      [
        `attempt:actor:${attempt.actor}`,
        `attempt:client:${attempt.consumerKey}`,
      ],
      windowSeconds,
    );
    if (byActor.count > attemptsPerActor) {
      throw new RateLimitedError(
        `Too many verification and provisioning attempts by ${attempt.actor}: at most ${attemptsPerActor} per ${windowSeconds} s; retry in ${byActor.resetInSeconds} s`,
        byActor.resetInSeconds,
      );
    }
    if (byKey.count > attemptsPerConsumerKey) {
      throw new RateLimitedError(
        `Too many verification and provisioning attempts with client "${attempt.consumerKey}": at most ${attemptsPerConsumerKey} per ${windowSeconds} s; retry in ${byKey.resetInSeconds} s`,
        byKey.resetInSeconds,
      );
    }
  }

  /** Counts one denied row of `start`'s actor, entity and action; see the module comment. */
  async deniedRow(start: AuditStart): Promise<DeniedRowDecision> {
    const limit = this.settings.deniedAuditRowsPerHour;
    const hit = await this.counter.hit(
      `denied:${start.actor}\u0000${start.entityRef ?? ''}\u0000${
        start.action
      }`,
      DENIED_ROWS_WINDOW_SECONDS,
    );
    if (hit.count > limit) return { write: false };
    if (hit.count === limit) {
      return {
        write: true,
        note: `; ${limit} denials of this actor for this entity and action within the hour: further ones in the next ${hit.resetInSeconds} s are not recorded as audit rows (they still reach the auditor log)`,
      };
    }
    return { write: true };
  }
}
