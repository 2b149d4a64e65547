// @ts-check

/**
 * Audit rows say whether the credentials were proven at the key manager before a provisioning
 * (issue 15 item 7): `true` when this attempt verified them, `false` when it mapped without
 * verifying. Nullable: rows written before this column, and actions other than `provision`, do
 * not know.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('apim_credentials_audit', table => {
    table.boolean('verified').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('apim_credentials_audit', table => {
    table.dropColumn('verified');
  });
};
