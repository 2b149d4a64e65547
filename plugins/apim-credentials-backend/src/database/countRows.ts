import { Knex } from 'knex';

/**
 * The number of rows a filtered query matches, with its selection, ordering and limit dropped.
 * For the totals of list responses (`Page.total`, issue 15 item 5); works on every engine the
 * stores support (SQLite, PostgreSQL, MySQL/MariaDB), whose drivers return the count as a
 * number or a string.
 */
export async function countRows(query: Knex.QueryBuilder): Promise<number> {
  const [row] = await query
    .clearSelect()
    .clearOrder()
    .clear('limit')
    .count({ n: '*' });
  return Number((row as { n?: number | string } | undefined)?.n ?? 0);
}
