// @ts-check

/**
 * MySQL / MariaDB only: `apim_credentials_bindings.bound_at` becomes DATETIME(6) holding UTC,
 * like the audit and mapping times (migration 20261130100100, src/database/timestamps.ts).
 * Migration 20261130120000 created it as a plain TIMESTAMP, released before this one, so:
 *
 * - with `explicit_defaults_for_timestamp=OFF` (MySQL 5.7, MariaDB <= 10.9) it was the table's
 *   first NOT NULL TIMESTAMP and silently got `DEFAULT CURRENT_TIMESTAMP ON UPDATE
 *   CURRENT_TIMESTAMP`: any update of a binding row would have rewritten when it was bound;
 * - it was converted through the session time zone (replicas in different zones disagreed) and
 *   kept whole seconds only.
 *
 * Existing values are converted in a UTC session: each becomes the UTC wall-clock time of the
 * instant the TIMESTAMP held. PostgreSQL (timestamptz) and SQLite (epoch ms) are left as they are.
 */

const { isMysql, inUtcSession } = require('./shared/mysqlUtcSession');

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  if (!isMysql(knex)) return;
  await inUtcSession(knex, async k => {
    await k.raw(
      'ALTER TABLE apim_credentials_bindings MODIFY bound_at DATETIME(6) NOT NULL',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  if (!isMysql(knex)) return;
  // Back to TIMESTAMP, with an explicit default so that no server mode adds ON UPDATE.
  await inUtcSession(knex, async k => {
    await k.raw(
      'ALTER TABLE apim_credentials_bindings MODIFY bound_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP',
    );
  });
};
