// @ts-check

/**
 * The audit log is paged newest first on (started_at, seq). Each filter gets an index that ends
 * in those two columns, so a page costs the same at any depth and with any time window; the
 * earlier (column, seq) indexes could not serve `since`/`until` and are replaced.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('apim_credentials_audit', table => {
    table.dropIndex(['entity_ref', 'seq'], 'apim_audit_entity_seq_idx');
    table.dropIndex(['environment', 'seq'], 'apim_audit_environment_seq_idx');
    table.dropIndex(['actor', 'seq'], 'apim_audit_actor_seq_idx');
    table.dropIndex(['action', 'seq'], 'apim_audit_action_seq_idx');
    table.dropIndex(['outcome', 'seq'], 'apim_audit_outcome_seq_idx');
    table.dropIndex(['started_at'], 'apim_audit_started_at_idx');
  });
  await knex.schema.alterTable('apim_credentials_audit', table => {
    table.index(['started_at', 'seq'], 'apim_audit_time_idx');
    table.index(
      ['entity_ref', 'started_at', 'seq'],
      'apim_audit_entity_time_idx',
    );
    table.index(
      ['environment', 'started_at', 'seq'],
      'apim_audit_environment_time_idx',
    );
    table.index(['actor', 'started_at', 'seq'], 'apim_audit_actor_time_idx');
    table.index(['action', 'started_at', 'seq'], 'apim_audit_action_time_idx');
    table.index(
      ['outcome', 'started_at', 'seq'],
      'apim_audit_outcome_time_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('apim_credentials_audit', table => {
    table.dropIndex(['started_at', 'seq'], 'apim_audit_time_idx');
    table.dropIndex(
      ['entity_ref', 'started_at', 'seq'],
      'apim_audit_entity_time_idx',
    );
    table.dropIndex(
      ['environment', 'started_at', 'seq'],
      'apim_audit_environment_time_idx',
    );
    table.dropIndex(
      ['actor', 'started_at', 'seq'],
      'apim_audit_actor_time_idx',
    );
    table.dropIndex(
      ['action', 'started_at', 'seq'],
      'apim_audit_action_time_idx',
    );
    table.dropIndex(
      ['outcome', 'started_at', 'seq'],
      'apim_audit_outcome_time_idx',
    );
  });
  await knex.schema.alterTable('apim_credentials_audit', table => {
    table.index(['entity_ref', 'seq'], 'apim_audit_entity_seq_idx');
    table.index(['environment', 'seq'], 'apim_audit_environment_seq_idx');
    table.index(['actor', 'seq'], 'apim_audit_actor_seq_idx');
    table.index(['action', 'seq'], 'apim_audit_action_seq_idx');
    table.index(['outcome', 'seq'], 'apim_audit_outcome_seq_idx');
    table.index(['started_at'], 'apim_audit_started_at_idx');
  });
};
