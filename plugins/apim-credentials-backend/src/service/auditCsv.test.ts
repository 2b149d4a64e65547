import { PassThrough, Writable } from 'node:stream';
import type { AuditRecord } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { ExportAbortedError, csvCell, writeAuditCsv } from './auditCsv';

/** What a spreadsheet that ignores quotes sees: cells split on `sep`. */
function naiveCells(line: string, sep: string): string[] {
  return line.split(sep);
}

const record = (i: number): AuditRecord => ({
  id: `id-${i}`,
  startedAt: '2026-11-30T00:00:00.000Z',
  actor: 'user:default/guest',
  source: 'ui',
  action: 'provision',
  outcome: 'succeeded',
  errorMessage: 'x'.repeat(200),
});

describe('csvCell', () => {
  it.each([
    '=1+1',
    '+1',
    '-1',
    '@SUM(A1)',
    ' =cmd()',
    '\t=1',
    '＝1+1',
    'ok;=HYPERLINK("http://evil")',
    'ok,=HYPERLINK("http://evil")',
    'a; -2+3',
    'a;@x',
  ])('no cell of %p starts a formula, split on , or ;', value => {
    const cell = csvCell(value);
    for (const sep of [',', ';']) {
      for (const part of naiveCells(cell.replace(/^"|"$/g, ''), sep)) {
        expect(part).not.toMatch(/^[\s\u00a0]*[=+\-@\uff1d\uff0b\uff0d\uff20]/);
      }
    }
  });

  it('quotes separators of both kinds, quotes and line breaks', () => {
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(undefined)).toBe('');
  });
});

describe('writeAuditCsv', () => {
  it('stops reading the database when the client goes away while it is full', async () => {
    let read = 0;
    let finished = false;
    async function* rows() {
      try {
        for (let i = 0; i < 1_000_000; i++) {
          read++;
          yield record(i);
        }
      } finally {
        finished = true;
      }
    }
    // A client that never reads: the stream fills, then the connection closes.
    const out = new Writable({
      highWaterMark: 1024,
      write(_chunk, _enc, _cb) {
        /* never calls back: stalled */
      },
    });
    const done = writeAuditCsv(rows(), out);
    await new Promise(r => setTimeout(r, 50));
    const before = read;
    out.destroy();
    await expect(done).rejects.toBeInstanceOf(ExportAbortedError);
    expect(finished).toBe(true);
    expect(before).toBeLessThan(100);
    expect(read).toBe(before);
  });

  it('gives up on a client that reads nothing for the stall timeout', async () => {
    const out = new Writable({
      highWaterMark: 16,
      write() {
        /* stalled */
      },
    });
    async function* rows() {
      for (let i = 0; i < 1000; i++) yield record(i);
    }
    await expect(
      writeAuditCsv(rows(), out, { stallTimeoutMs: 30 }),
    ).rejects.toThrow(/read nothing for 30 ms/);
  });

  it('writes everything to a client that keeps reading', async () => {
    const out = new PassThrough({ highWaterMark: 64 });
    const chunks: Buffer[] = [];
    out.on('data', c => chunks.push(c));
    async function* rows() {
      for (let i = 0; i < 500; i++) yield record(i);
    }
    await writeAuditCsv(rows(), out);
    const lines = Buffer.concat(chunks).toString().trim().split('\r\n');
    expect(lines).toHaveLength(501);
    expect(lines[1]).toMatch(/^id-0,/);
  });
});

describe('writeAuditCsv columns', () => {
  it('ends with verified, resolution and note, so earlier columns keep their positions (issue 9)', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', c => chunks.push(c));
    async function* one(): AsyncGenerator<AuditRecord> {
      yield {
        ...record(1),
        errorMessage: undefined,
        resolution: 'RESOLVED_BY_JOB',
        note: 'API-M holds the mapping',
      };
    }
    await writeAuditCsv(one(), out);
    const [header, row] = Buffer.concat(chunks).toString('utf8').split('\r\n');
    expect(header).toMatch(
      /,errorCode,errorMessage,requestId,verified,resolution,note$/,
    );
    expect(row).toMatch(/,,,RESOLVED_BY_JOB,API-M holds the mapping$/);
  });
});
