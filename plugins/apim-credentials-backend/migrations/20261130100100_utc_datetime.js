// @ts-check

/**
 * MySQL / MariaDB only: the audit and mapping times become DATETIME(6) holding UTC
 * (issue 12 items 7 and 8). PostgreSQL (timestamptz) and SQLite (epoch ms) are left as they are.
 *
 * - With `explicit_defaults_for_timestamp=OFF` (MySQL 5.7, MariaDB <= 10.9) the first NOT NULL
 *   TIMESTAMP of a table silently got `DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP`:
 *   completing an audit row rewrote its start time, marking drift rewrote `provisioned_at`.
 *   DATETIME never gets an automatic default or update, whatever the server mode.
 * - TIMESTAMP is converted through the session time zone and mysql2 sends and reads Dates in
 *   the process's zone, so replicas in different zones disagreed. The store now writes and
 *   reads UTC text (src/database/timestamps.ts), which DATETIME keeps as it is.
 * - Microseconds, so that keyset paging on (started_at, seq) is exact.
 *
 * Existing values are converted in a UTC session: each becomes the UTC wall-clock time of the
 * instant the TIMESTAMP held.
 */

const { isMysql, inUtcSession } = require('./shared/mysqlUtcSession');

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  if (!isMysql(knex)) return;
  await inUtcSession(knex, async k => {
    await k.raw(
      'ALTER TABLE apim_credentials_audit MODIFY started_at DATETIME(6) NOT NULL, MODIFY finished_at DATETIME(6) NULL',
    );
    await k.raw(
      'ALTER TABLE apim_credentials_mappings MODIFY provisioned_at DATETIME(6) NOT NULL',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  if (!isMysql(knex)) return;
  // Back to TIMESTAMP, with explicit defaults so that no server mode adds ON UPDATE.
  await inUtcSession(knex, async k => {
    await k.raw(
      'ALTER TABLE apim_credentials_audit MODIFY started_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, MODIFY finished_at TIMESTAMP NULL DEFAULT NULL',
    );
    await k.raw(
      'ALTER TABLE apim_credentials_mappings MODIFY provisioned_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP',
    );
  });
};
