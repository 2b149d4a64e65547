// @ts-check

/**
 * Helpers shared by the migrations that treat MySQL/MariaDB apart (20261130100000
 * canonical_entity_refs, 20261130100100_utc_datetime, 20261205100000_bindings_bound_at_datetime).
 * This file sits in a subfolder on purpose: knex
 * lists only the files directly in the migrations directory (a folder has no `.js` extension
 * and is skipped), so it is never taken as a migration itself.
 */

/**
 * True on MySQL and MariaDB (knex's `mysql` and `mysql2` clients), where the DATETIME
 * migrations apply; PostgreSQL (timestamptz) and SQLite (epoch ms) keep their columns.
 *
 * @param {import('knex').Knex} knex
 * @returns {boolean}
 */
function isMysql(knex) {
  return String(knex.client.dialect).startsWith('mysql');
}

/**
 * Runs `fn` on one connection whose session time zone is UTC, and restores the session's
 * previous zone afterwards (also when `fn` rejects; its rejection is rethrown). Converting
 * TIMESTAMP to DATETIME in a UTC session makes each value the UTC wall-clock time of the
 * instant it held.
 *
 * @param {import('knex').Knex} knex
 * @param {(knex: import('knex').Knex) => Promise<void>} fn
 * @returns {Promise<void>}
 */
async function inUtcSession(knex, fn) {
  /** @param {import('knex').Knex} k */
  const run = async k => {
    const [[{ tz }]] = await k.raw('SELECT @@session.time_zone AS tz');
    await k.raw("SET time_zone = '+00:00'");
    try {
      await fn(k);
    } finally {
      await k.raw('SET time_zone = ?', [tz]);
    }
  };
  // Migrations normally run in a transaction, i.e. on one connection; pin one otherwise.
  if (/** @type {any} */ (knex).isTransaction) await run(knex);
  else await knex.transaction(run);
}

module.exports = { isMysql, inUtcSession };
