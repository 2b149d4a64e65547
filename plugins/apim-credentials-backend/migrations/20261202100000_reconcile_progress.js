// @ts-check

/**
 * Where the drift job's pass over the mappings stands, per environment (issue 11, scale of the
 * drift job): each run checks a slice after `after_id` (a keyset position in the mappings
 * table) so that every mapping is checked within `reconcile.checkEveryMappingWithin`. In the
 * database, not in memory, so the pass continues on whichever replica runs the job next.
 * `settled_at` (epoch milliseconds, free of time zones) is when a run last finished its whole
 * slice; the next slice is sized by the time since then.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable(
    'apim_credentials_reconcile_progress',
    table => {
      table.comment('Keyset position of the drift job per environment');
      table.string('environment', 255).primary();
      table.bigInteger('after_id').notNullable().defaultTo(0);
      table.bigInteger('settled_at').nullable();
    },
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('apim_credentials_reconcile_progress');
};
