/** Writes audit records as CSV to a stream, respecting backpressure so memory stays flat. */
import { Writable } from 'node:stream';
import { once } from 'node:events';
import type { AuditRecord } from '@internal/backstage-plugin-apim-credentials-common';

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
];

export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = String(value);
  // Spreadsheets execute cells starting with these; prefix them so an export is inert.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export async function writeAuditCsv(
  records: AsyncIterable<AuditRecord>,
  out: Writable,
): Promise<void> {
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, 'drain');
  };
  await write(`${AUDIT_CSV_COLUMNS.join(',')}\r\n`);
  for await (const record of records) {
    await write(
      `${AUDIT_CSV_COLUMNS.map(c => csvCell(record[c])).join(',')}\r\n`,
    );
  }
  out.end();
}
