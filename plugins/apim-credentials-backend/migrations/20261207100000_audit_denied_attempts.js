// @ts-check

/**
 * Repeated denials are coalesced (issue 10 item 5): the same actor, entity, action, cell
 * (environment, key type, key manager), consumer key, source, dry-run flag and error code within
 * the hour
 * update one `denied` row instead of adding one each time, so nobody can bury an entity's history
 * under their own denials. `attempts` counts the denials a row stands for (1 for every other row);
 * its `finished_at` is the last one's time (src/database/deniedRows.ts).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('apim_credentials_audit', table => {
    table.integer('attempts').notNullable().defaultTo(1);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('apim_credentials_audit', table => {
    table.dropColumn('attempts');
  });
};
