/**
 * Timestamps that mean the same instant on every database, whatever the time zone of the
 * process or of the database session (issue 12 items 7–9).
 *
 * - PostgreSQL: `timestamptz`; the driver sends a Date with its offset and reads an instant, so
 *   Dates are safe. Reading goes through `to_char(... AT TIME ZONE 'UTC')` anyway, because a JS
 *   Date drops the microseconds PostgreSQL keeps, and keyset cursors need them.
 * - MySQL / MariaDB: `DATETIME(6)` holding UTC wall-clock time (migration 20261130100100).
 *   mysql2 would turn a Date into the *process's* local wall-clock time and read one back the same
 *   way, so two replicas in different zones disagreed by their offset; we write and read UTC text.
 * - SQLite: knex stores a Date as epoch milliseconds, which no time zone touches.
 */
import { Knex } from 'knex';

/** The database engine family behind a knex client. */
export type Engine = 'pg' | 'mysql' | 'sqlite';

/** A full-precision UTC instant: `2026-01-01T10:00:00.123456Z` (up to microseconds). */
const UTC_TEXT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z$/;

/** Which engine `knex` talks to (MariaDB counts as `mysql`). */
export function engineOf(knex: Knex): Engine {
  const dialect = String(knex.client.dialect ?? knex.client.config?.client);
  if (dialect.startsWith('postgres') || dialect === 'pg') return 'pg';
  if (dialect.startsWith('mysql')) return 'mysql';
  return 'sqlite';
}

/** `2026-01-01T10:00:00.123Z` -> `2026-01-01 10:00:00.123`, a DATETIME literal in UTC. */
function mysqlLiteral(utcText: string): string {
  return utcText.replace('T', ' ').replace('Z', '');
}

/**
 * Converts between JS Dates / cursor text and what one database stores. Instances are cheap;
 * make one per knex client.
 */
export class Timestamps {
  private readonly engine: Engine;

  constructor(private readonly knex: Knex) {
    this.engine = engineOf(knex);
  }

  /** The value to write into (or compare with) a timestamp column, for the instant `date`. */
  value(date: Date): Knex.Value {
    if (this.engine === 'mysql') return mysqlLiteral(date.toISOString());
    return date;
  }

  /**
   * A select expression giving `column` as full-precision UTC text (SQLite: epoch ms, which is
   * already its full precision), aliased `alias`. `parse` turns it into a Date, `cursorText`
   * into the exact value for a keyset cursor.
   */
  select(column: string, alias: string): Knex.Raw {
    if (this.engine === 'pg') {
      return this.knex.raw(
        `to_char(?? AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as ??`,
        [column, alias],
      );
    }
    if (this.engine === 'mysql') {
      return this.knex.raw(`DATE_FORMAT(??, '%Y-%m-%dT%H:%i:%s.%fZ') as ??`, [
        column,
        alias,
      ]);
    }
    return this.knex.raw('?? as ??', [column, alias]);
  }

  /** The instant of a value selected with `select` (or a raw column value), or undefined. */
  parse(value: unknown): Date | undefined {
    if (value === null || value === undefined) return undefined;
    if (value instanceof Date) return value;
    if (typeof value === 'number') return new Date(value);
    const text = String(value);
    if (/^\d+$/.test(text)) return new Date(Number(text));
    return new Date(text);
  }

  /**
   * The exact stored value of a selected timestamp, as UTC text with every digit the database
   * kept: two rows a microsecond apart get different cursors.
   */
  cursorText(value: unknown): string {
    if (typeof value === 'string' && UTC_TEXT.test(value)) return value;
    const date = this.parse(value);
    if (!date || Number.isNaN(date.getTime())) {
      throw new Error(`not a timestamp: ${String(value)}`);
    }
    return date.toISOString();
  }

  /** The value to compare a timestamp column with, for text made by `cursorText`. */
  cursorValue(utcText: string): Knex.Value | Knex.Raw {
    if (this.engine === 'pg') return this.knex.raw('?::timestamptz', [utcText]);
    if (this.engine === 'mysql') return mysqlLiteral(utcText);
    return new Date(utcText).getTime();
  }
}

/** Whether `text` is UTC text as `Timestamps.cursorText` makes it. */
export function isUtcText(text: string): boolean {
  return UTC_TEXT.test(text);
}
