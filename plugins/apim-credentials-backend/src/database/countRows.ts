import { Knex } from 'knex';
import type { Page } from '@apim-credentials/backstage-plugin-apim-credentials-common';

/**
 * How far the totals of list responses count by default. Counting every match is a scan of all
 * of them (PostgreSQL has no cheap exact count: 36–393 ms for the audit log's first page at 1M
 * rows, issue 9); counting at most this many keeps the first page one short index range read,
 * and a tab showing "10,000+" says all a reader needs.
 */
export const DEFAULT_COUNT_CAP = 10_000;

/** The total fields of a `Page`: exact under the cap, else the cap flagged as a lower bound. */
export type PageTotal = Required<Pick<Page<unknown>, 'total'>> &
  Pick<Page<unknown>, 'totalIsLowerBound'>;

/**
 * The number of rows a filtered query matches, counting at most `cap + 1` of them: `{ total }`
 * exactly when at most `cap` match, else `{ total: cap, totalIsLowerBound: true }` (more than
 * `cap` match). The query's selection, ordering, limit and offset are dropped; the count runs
 * as `select count(*) from (select 1 from … where … limit cap + 1)`, which every engine the
 * stores support (SQLite, PostgreSQL, MySQL/MariaDB) stops after `cap + 1` index entries.
 * For the totals of list responses (`Page.total`, issue 15 item 5).
 *
 * @param knex - the client or transaction the query belongs to
 * @param cap - a positive integer; throws a TypeError otherwise
 */
export async function countRows(
  knex: Knex,
  query: Knex.QueryBuilder,
  cap: number = DEFAULT_COUNT_CAP,
): Promise<PageTotal> {
  if (!Number.isSafeInteger(cap) || cap < 1) {
    throw new TypeError(`count cap must be a positive integer, got ${cap}`);
  }
  const matches = query
    .clone()
    .clearSelect()
    .clearOrder()
    .clear('limit')
    .clear('offset')
    .select(knex.raw('1 as one'))
    .limit(cap + 1);
  const [row] = await knex.count({ n: '*' }).from(matches.as('capped'));
  // Drivers return the count as a number or a string.
  const n = Number((row as { n?: number | string } | undefined)?.n ?? 0);
  return n > cap ? { total: cap, totalIsLowerBound: true } : { total: n };
}

/**
 * One page of a keyset-paginated list from `rows`, read with `limit + 1` so that a further row
 * says there is a next page: the first `limit` rows as `toItem` makes them, the next cursor
 * (`cursorOf` the last row kept) when more follow, and on the first page (`firstPage`) the
 * filters' total: the rows themselves when they are all, else `count()` (countRows, capped).
 * For the totals of list responses (`Page.total`, issue 15 item 5).
 */
export async function pageOf<Row, Item>(
  rows: Row[],
  options: {
    limit: number;
    firstPage: boolean;
    toItem: (row: Row) => Item;
    cursorOf: (row: Row) => string;
    count: () => Promise<PageTotal>;
  },
): Promise<Page<Item>> {
  const { limit } = options;
  const more = rows.length > limit;
  let total: Pick<Page<Item>, 'total' | 'totalIsLowerBound'> = {};
  if (options.firstPage) {
    total = more ? await options.count() : { total: rows.length };
  }
  return {
    items: rows.slice(0, limit).map(options.toItem),
    ...total,
    nextCursor: more ? options.cursorOf(rows[limit - 1]) : undefined,
  };
}
