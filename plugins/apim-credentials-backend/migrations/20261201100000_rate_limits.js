// @ts-check

/**
 * Fixed-window counters for rate limits (issue 10 items 3 and 5): attempts per actor and per
 * consumer key, and denied audit rows per actor x entity x action. In the plugin's database, not
 * in process memory or the default (per-process) cache, so that every replica counts together.
 *
 * `counter_key` is a SHA-256 of what is counted plus the window, so no entity ref, actor or
 * client id is stored here; `expires_at` (epoch milliseconds, free of time zones) lets old
 * windows be deleted.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('apim_credentials_rate_limits', table => {
    table.comment(
      'Fixed-window attempt counters shared by all backend replicas',
    );
    table.string('counter_key', 64).primary();
    table.integer('hits').notNullable();
    table.bigInteger('expires_at').notNullable();
    table.index(['expires_at'], 'apim_rate_limits_expires_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('apim_credentials_rate_limits');
};
