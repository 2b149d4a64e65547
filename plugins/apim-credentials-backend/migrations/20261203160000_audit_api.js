// @ts-check

/**
 * Audit rows of `subscribe` / `unsubscribe` name the API they changed (issue 16): the API entity
 * (`api_ref`, e.g. `api:default/orders-api`), API-M's API id (`api_id`) and its name and version
 * (`api_name`, e.g. `OrdersAPI 1.0.0`). Nullable: other actions, and rows written before these
 * columns, concern no API.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('apim_credentials_audit', table => {
    table.string('api_ref', 255).nullable();
    table.string('api_id', 64).nullable();
    table.string('api_name', 255).nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('apim_credentials_audit', table => {
    table.dropColumn('api_ref');
    table.dropColumn('api_id');
    table.dropColumn('api_name');
  });
};
