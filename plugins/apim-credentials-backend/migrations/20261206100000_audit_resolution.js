// @ts-check

/**
 * Successful audit rows no longer carry an error code (issue 9, "one audit trail"): what a
 * success needed saying goes into `resolution` (a stable string, `AUDIT_RESOLUTIONS` in -common)
 * and `note` (words). Rows written before this migration had put it into `error_code` and
 * `error_message`; those move over, and move back on the way down.
 */

const AUDIT = 'apim_credentials_audit';
const SUCCESS = ['succeeded', 'unchanged'];
/** The codes successful rows were written with before `resolution` existed. */
const RESOLUTIONS = [
  'RESOLVED_BY_JOB',
  'ADOPTED_BY_JOB',
  'GATEWAYS_NOT_NOTIFIED',
  'STALE_RECORD_REMOVED',
];

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable(AUDIT, table => {
    table.string('resolution', 64).nullable();
    table.text('note').nullable();
  });
  // Two statements: MySQL applies SET assignments left to right, so one statement that copies
  // and clears would depend on the order knex writes them in.
  await knex(AUDIT)
    .whereIn('outcome', SUCCESS)
    .whereIn('error_code', RESOLUTIONS)
    .update({
      resolution: knex.ref('error_code'),
      note: knex.ref('error_message'),
    });
  await knex(AUDIT)
    .whereNotNull('resolution')
    .update({ error_code: null, error_message: null });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex(AUDIT)
    .whereNotNull('resolution')
    .update({
      error_code: knex.ref('resolution'),
      error_message: knex.ref('note'),
    });
  await knex.schema.alterTable(AUDIT, table => {
    table.dropColumn('note');
    table.dropColumn('resolution');
  });
};
