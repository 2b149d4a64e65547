// @ts-check

/**
 * Approval requests (issue 14 item 1): an owner's request to map a client in an environment
 * that requires approval, and an approver's decision. Everything about the client except its
 * secret, which is never stored, not even encrypted: the owner gives it again to complete.
 * Times are epoch milliseconds (free of time zones on every database, like
 * 20261202100000_reconcile_progress). `(entity_ref, consumer_key)` finds the requests of an
 * entity's client; `(state, expires_at)` the ones due to expire.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('apim_credentials_approval_requests', table => {
    table.comment('Approval requests for credentials; never a secret');
    table.string('id', 36).primary();
    table.string('state', 16).notNullable();
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 255).notNullable();
    table.string('instance', 255).notNullable();
    table.string('key_type', 16).notNullable();
    table.string('key_manager', 255).notNullable();
    table.string('application_name', 255).notNullable();
    table.string('consumer_key', 255).notNullable();
    table.string('requested_by', 255).notNullable();
    table.bigInteger('requested_at').notNullable();
    table.bigInteger('expires_at').notNullable();
    table.string('decided_by', 255).nullable();
    table.bigInteger('decided_at').nullable();
    table.string('comment', 1000).nullable();
    table.bigInteger('used_at').nullable();
    // Two 255-character columns: within MySQL's 3072-byte key limit in utf8mb4.
    table.index(['entity_ref', 'consumer_key'], 'apim_approval_client_idx');
    table.index(['state', 'expires_at'], 'apim_approval_state_expiry_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('apim_credentials_approval_requests');
};
