// @ts-check

/**
 * The audit log is paged newest first on (started_at, seq). Each filter gets an index that ends
 * in those two columns, so a page costs the same at any depth and with any time window; the
 * earlier (column, seq) indexes could not serve `since`/`until` and are replaced.
 */

const AUDIT = 'apim_credentials_audit';

/**
 * The indexes of migration 20261127100000_init that this one replaces, as [columns, name].
 *
 * @type {Array<[string[], string]>}
 */
const SEQ_INDEXES = [
  [['entity_ref', 'seq'], 'apim_audit_entity_seq_idx'],
  [['environment', 'seq'], 'apim_audit_environment_seq_idx'],
  [['actor', 'seq'], 'apim_audit_actor_seq_idx'],
  [['action', 'seq'], 'apim_audit_action_seq_idx'],
  [['outcome', 'seq'], 'apim_audit_outcome_seq_idx'],
  [['started_at'], 'apim_audit_started_at_idx'],
];

/**
 * The indexes this migration creates, each ending in (started_at, seq), as [columns, name].
 *
 * @type {Array<[string[], string]>}
 */
const TIME_INDEXES = [
  [['started_at', 'seq'], 'apim_audit_time_idx'],
  [['entity_ref', 'started_at', 'seq'], 'apim_audit_entity_time_idx'],
  [['environment', 'started_at', 'seq'], 'apim_audit_environment_time_idx'],
  [['actor', 'started_at', 'seq'], 'apim_audit_actor_time_idx'],
  [['action', 'started_at', 'seq'], 'apim_audit_action_time_idx'],
  [['outcome', 'started_at', 'seq'], 'apim_audit_outcome_time_idx'],
];

/**
 * Drops the indexes `from` (in their order), then creates the indexes `to` (in theirs), each
 * in one ALTER TABLE.
 *
 * @param {import('knex').Knex} knex
 * @param {Array<[string[], string]>} from
 * @param {Array<[string[], string]>} to
 */
async function replaceIndexes(knex, from, to) {
  await knex.schema.alterTable(AUDIT, table => {
    for (const [columns, name] of from) table.dropIndex(columns, name);
  });
  await knex.schema.alterTable(AUDIT, table => {
    for (const [columns, name] of to) table.index(columns, name);
  });
}

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await replaceIndexes(knex, SEQ_INDEXES, TIME_INDEXES);
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await replaceIndexes(knex, TIME_INDEXES, SEQ_INDEXES);
};
