// @ts-check

/**
 * Audit trail, current mappings and per-cell provisioning locks.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('apim_credentials_audit', table => {
    table.comment(
      'One row per provisioning attempt; never holds a secret or a token',
    );
    // Monotonic key for keyset pagination (newest first); `id` is the public identifier.
    table.bigIncrements('seq').primary();
    table.string('id', 36).notNullable().unique();
    table.timestamp('started_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.string('actor', 255).notNullable();
    table.string('source', 16).notNullable();
    table.string('via', 64).nullable();
    table.string('task_id', 128).nullable();
    table.string('action', 32).notNullable();
    table.string('outcome', 16).notNullable();
    table.string('entity_ref', 255).nullable();
    table.string('environment', 64).nullable();
    table.string('instance', 64).nullable();
    table.string('key_type', 16).nullable();
    table.string('key_manager', 128).nullable();
    table.string('application_id', 64).nullable();
    table.string('application_name', 255).nullable();
    table.string('key_mapping_id', 64).nullable();
    table.string('consumer_key', 255).nullable();
    table.string('error_code', 64).nullable();
    table.text('error_message').nullable();
    table.string('request_id', 64).nullable();
    table.index(['entity_ref', 'seq'], 'apim_audit_entity_seq_idx');
    table.index(['environment', 'seq'], 'apim_audit_environment_seq_idx');
    table.index(['actor', 'seq'], 'apim_audit_actor_seq_idx');
    table.index(['action', 'seq'], 'apim_audit_action_seq_idx');
    table.index(['outcome', 'seq'], 'apim_audit_outcome_seq_idx');
    table.index(['started_at'], 'apim_audit_started_at_idx');
  });

  await knex.schema.createTable('apim_credentials_mappings', table => {
    table.comment(
      'The mappings Backstage made and believes API-M holds; never a secret',
    );
    table.bigIncrements('id').primary();
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 64).notNullable();
    table.string('key_manager', 128).notNullable();
    table.string('instance', 64).notNullable();
    table.string('key_type', 16).notNullable();
    table.string('application_id', 64).notNullable();
    table.string('application_name', 255).notNullable();
    table.string('consumer_key', 255).notNullable();
    table.string('key_mapping_id', 64).notNullable();
    table.text('grant_types').notNullable();
    table.string('provisioned_by', 255).notNullable();
    table.timestamp('provisioned_at', { useTz: true }).notNullable();
    table.string('state', 16).notNullable();
    table.text('drift_reason').nullable();
    table.unique(['entity_ref', 'environment', 'key_manager'], {
      indexName: 'apim_mappings_cell_uq',
    });
    table.index(['environment', 'id'], 'apim_mappings_environment_idx');
    table.index(['key_manager', 'id'], 'apim_mappings_key_manager_idx');
  });

  await knex.schema.createTable('apim_credentials_locks', table => {
    table.comment('Serialises provisioning per cell across backend replicas');
    table.string('cell', 512).primary();
    table.string('owner', 36).notNullable();
    // Epoch milliseconds: compared numerically on every database.
    table.bigInteger('expires_at').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('apim_credentials_locks');
  await knex.schema.dropTable('apim_credentials_mappings');
  await knex.schema.dropTable('apim_credentials_audit');
};
