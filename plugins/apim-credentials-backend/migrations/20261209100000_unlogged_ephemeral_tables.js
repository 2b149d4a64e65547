// @ts-check

/**
 * PostgreSQL only: the provisioning locks and the rate-limit counters become UNLOGGED tables.
 * Both hold short-lived state that is worthless after a crash (a lock expires within a minute,
 * a counter window within an hour), yet every provisioning writes them on its critical path;
 * unlogged, those writes skip the write-ahead log and its flush (issue 9, "Performance").
 * What PostgreSQL does to an unlogged table after a crash (empties it) and on a promoted
 * standby (empty) is what these tables can afford: no lock or count outlives the requests
 * that a crash or failover breaks anyway. The audit, mappings, bindings and approvals stay
 * logged. SQLite and MySQL/MariaDB have no such tables: nothing changes there.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  if (!isPostgres(knex)) return;
  await knex.raw('ALTER TABLE ?? SET UNLOGGED', ['apim_credentials_locks']);
  await knex.raw('ALTER TABLE ?? SET UNLOGGED', [
    'apim_credentials_rate_limits',
  ]);
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  if (!isPostgres(knex)) return;
  await knex.raw('ALTER TABLE ?? SET LOGGED', ['apim_credentials_rate_limits']);
  await knex.raw('ALTER TABLE ?? SET LOGGED', ['apim_credentials_locks']);
};

/** @param {import('knex').Knex} knex */
function isPostgres(knex) {
  const client = String(knex.client.config?.client ?? knex.client.dialect);
  return client === 'pg' || client.startsWith('postgres');
}
