/**
 * Keyset cursors of the audit log, which is paged newest first on (started_at, seq).
 *
 * The cursor carries the last row's start time with every digit the database kept (PostgreSQL
 * keeps microseconds, a JS Date only milliseconds): a cursor rounded to the millisecond would
 * skip or repeat rows that started within one millisecond (issue 12 item 9).
 */
import { InputError } from '@backstage/errors';
import { isUtcText } from './timestamps';

/** An audit page position: the last row's start time (full-precision UTC text) and sequence number. */
export interface AuditPosition {
  /** `2026-01-01T10:00:00.123456Z`: as precise as the database stored it. */
  startedAt: string;
  /** The same instant in epoch milliseconds (rounded down), for comparisons in JS. */
  startedAtMs: number;
  seq: number;
}

const INVALID = 'cursor must be a cursor returned by a previous page';

/**
 * The cursor of the page after the row at `position`.
 *
 * @param position - `startedAt` as UTC text (see Timestamps.cursorText), or a Date / epoch ms
 */
export function encodeAuditPosition(position: {
  startedAt: string | Date | number;
  seq: number | string;
}): string {
  const startedAt =
    typeof position.startedAt === 'string'
      ? position.startedAt
      : new Date(position.startedAt).toISOString();
  return Buffer.from(`${startedAt}|${position.seq}`).toString('base64url');
}

/**
 * Reads a cursor made by `encodeAuditPosition`.
 *
 * @throws InputError (400, naming `cursor`) for anything else
 */
export function decodeAuditCursor(cursor: string): AuditPosition {
  const [startedAt, seqText, ...rest] = Buffer.from(cursor, 'base64url')
    .toString('utf8')
    .split('|');
  const seq = Number(seqText);
  if (
    rest.length > 0 ||
    !isUtcText(startedAt ?? '') ||
    !/^\d+$/.test(seqText ?? '') ||
    !Number.isSafeInteger(seq)
  ) {
    throw new InputError(INVALID);
  }
  const startedAtMs = new Date(startedAt).getTime();
  if (Number.isNaN(startedAtMs)) throw new InputError(INVALID);
  return { startedAt, startedAtMs, seq };
}

/**
 * Past the first page the cursor is a tighter upper bound than `until`; keeping both makes
 * SQLite range-scan on `until` and filter on the cursor, walking every row in between.
 */
export function withoutLooserUntil<T extends { until?: string }>(
  query: T,
  position?: AuditPosition,
): T {
  if (
    !position ||
    !query.until ||
    position.startedAtMs >= new Date(query.until).getTime()
  ) {
    return query;
  }
  return { ...query, until: undefined };
}
