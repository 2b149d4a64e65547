/**
 * Writes audit records as CSV to a stream (PRODUCT.md section 5, `GET /audit/export`; issue 10
 * item 7): back-pressure keeps memory flat, a client that goes away stops the database read, and
 * no cell can be read as a formula, whether the spreadsheet splits on `,` or on `;`.
 */
import { Writable } from 'node:stream';
import type { AuditRecord } from '@apim-credentials/backstage-plugin-apim-credentials-common';

export const AUDIT_CSV_COLUMNS: Array<keyof AuditRecord> = [
  'id',
  'startedAt',
  'finishedAt',
  'actor',
  'source',
  'via',
  'taskId',
  'action',
  'outcome',
  'entityRef',
  'environment',
  'instance',
  'keyType',
  'keyManager',
  'applicationId',
  'applicationName',
  'keyMappingId',
  'consumerKey',
  'errorCode',
  'errorMessage',
  'requestId',
  // Last, so that readers of the earlier columns by position keep working (issue 15 item 7).
  'verified',
  // Successful rows that needed a word more (issue 9); appended for the same reason.
  'resolution',
  'note',
];

/**
 * Characters that make a spreadsheet evaluate a cell (OWASP CSV injection), also in their
 * full-width forms, possibly after leading blanks.
 */
const FORMULA_START = /^[\s\u00a0]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n]/;

/**
 * One CSV cell. A value that could start a formula gets a `'` in front; so does every part of
 * it after a `,` or `;`, because a spreadsheet that ignores the quotes and splits on either
 * would otherwise see that part as a cell of its own. Cells with separators, quotes or line
 * breaks are quoted.
 */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = String(value)
    .split(/(?<=[,;])/)
    .map(part => (FORMULA_START.test(part) ? `'${part}` : part))
    .join('');
  return /[",;\r\n\t]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The client went away (or stopped reading) before the export finished. */
export class ExportAbortedError extends Error {
  name = 'ExportAbortedError' as const;
  constructor(reason = 'closed the connection') {
    super(`The client ${reason} before the CSV export finished`);
  }
}

/** How long a client may read nothing before the export gives up on it. */
export const EXPORT_STALL_TIMEOUT_MS = 60_000;

/**
 * Resolves when `out` may take more; rejects when it was closed or failed first, or when it
 * stayed full for `stallMs`.
 */
function drained(out: Writable, stallMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new ExportAbortedError(`read nothing for ${stallMs} ms`)),
      stallMs,
    );
    // Declarations, so each listener can remove the others whichever fires first.
    function done(error?: Error) {
      clearTimeout(timer);
      out.off('drain', onDrain);
      out.off('close', onClose);
      out.off('error', done);
      if (error) reject(error);
      else resolve();
    }
    function onDrain() {
      done();
    }
    function onClose() {
      done(new ExportAbortedError());
    }
    out.on('drain', onDrain);
    out.on('close', onClose);
    out.on('error', done);
  });
}

/**
 * Writes the header and one line per record, waiting for `drain` when the stream is full.
 * Rejects with ExportAbortedError as soon as `out` is closed or destroyed (the client went
 * away) or stays full for `stallTimeoutMs` (default 60 s): leaving the loop calls the
 * iterator's `return()`, which ends the database read.
 */
export async function writeAuditCsv(
  records: AsyncIterable<AuditRecord>,
  out: Writable,
  options: { stallTimeoutMs?: number } = {},
): Promise<void> {
  const stallMs = options.stallTimeoutMs ?? EXPORT_STALL_TIMEOUT_MS;
  const write = async (line: string) => {
    if (out.destroyed || out.writableEnded || out.closed)
      throw new ExportAbortedError();
    if (!out.write(line)) await drained(out, stallMs);
  };
  await write(`${AUDIT_CSV_COLUMNS.join(',')}\r\n`);
  for await (const record of records) {
    await write(
      `${AUDIT_CSV_COLUMNS.map(c => csvCell(record[c])).join(',')}\r\n`,
    );
  }
  out.end();
}
