// @ts-check

/**
 * Entity refs are stored in their canonical lower-case form (issue 12 item 6, issue 10 item 5):
 * Backstage compares refs case-insensitively, and rows written before this migration kept the
 * catalog's spelling (`component:default/Orders-Service`), which filters in lower case missed.
 *
 * Mappings are unique per (entity, environment, key manager); where two rows differ only in
 * the case of their entity ref, the newest (latest provisioned_at, then highest id) is kept,
 * as it is the one the last provisioning wrote.
 *
 * Down is a no-op: the original spelling is gone, and lower-case refs are valid refs to the
 * earlier code too.
 */

const AUDIT = 'apim_credentials_audit';
const MAPPINGS = 'apim_credentials_mappings';

const { isMysql } = require('./shared/mysqlUtcSession');

/**
 * Rows whose `column` is not already lower case. MySQL compares with a case-insensitive
 * collation by default, so it has to compare bytes.
 *
 * @param {import('knex').Knex} knex
 * @param {string} column
 */
function notLowerCase(knex, column) {
  return isMysql(knex)
    ? knex.raw('CAST(?? AS BINARY) <> CAST(LOWER(??) AS BINARY)', [
        column,
        column,
      ])
    : knex.raw('?? <> LOWER(??)', [column, column]);
}

/** The time column each table must keep as it is while its refs are rewritten. */
const KEPT_TIME = { [AUDIT]: 'started_at', [MAPPINGS]: 'provisioned_at' };

/**
 * Lower-cases `column` where it is not already. The table's time column is assigned to itself:
 * on MySQL created with explicit_defaults_for_timestamp=OFF it still has ON UPDATE
 * CURRENT_TIMESTAMP here (20261130100100 removes it), and an explicit assignment is what
 * stops the update from stamping the migration's time on every row.
 *
 * @param {import('knex').Knex} knex
 * @param {typeof AUDIT | typeof MAPPINGS} table
 * @param {string} column
 */
async function lowerCase(knex, table, column) {
  const time = KEPT_TIME[table];
  await knex(table)
    .where(notLowerCase(knex, column))
    .update({
      [column]: knex.raw('LOWER(??)', [column]),
      [time]: knex.ref(time),
    });
}

/** @param {import('knex').Knex} knex */
async function dropCaseDuplicateMappings(knex) {
  const groups = await knex(MAPPINGS)
    .select(knex.raw('LOWER(entity_ref) AS ref'), 'environment', 'key_manager')
    .groupByRaw('LOWER(entity_ref), environment, key_manager')
    .havingRaw('COUNT(*) > 1');
  for (const group of groups) {
    const rows = await knex(MAPPINGS)
      .select('id')
      .whereRaw('LOWER(entity_ref) = ?', [group.ref])
      .andWhere({
        environment: group.environment,
        key_manager: group.key_manager,
      })
      .orderBy([
        { column: 'provisioned_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
    const older = rows.slice(1).map(row => row.id);
    if (older.length) await knex(MAPPINGS).whereIn('id', older).delete();
  }
}

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await dropCaseDuplicateMappings(knex);
  await lowerCase(knex, MAPPINGS, 'entity_ref');
  await lowerCase(knex, MAPPINGS, 'provisioned_by');
  await lowerCase(knex, AUDIT, 'entity_ref');
  await lowerCase(knex, AUDIT, 'actor');
};

/** @param {import('knex').Knex} _knex */
exports.down = async function down(_knex) {};
