// @ts-check

/**
 * Which catalog entity an API-M application belongs to, per instance (issue 10, item 1). The
 * annotation only *names* an application; the binding lets an entity act on it. Unique on the
 * application id and on the name as WSO2 compares names: its duplicate check on create is
 * case-insensitive in every release (CONTRACT.md 14.1), so `Orders` and `orders` are one name.
 *
 * Existing deployments: each application that already holds mappings of exactly one entity is
 * bound to that entity. An application with mappings of several entities (the takeover this
 * table exists to stop) is left unbound for the platform team to decide; so is a name that two
 * application ids share case-insensitively.
 *
 * Audit rows also get a `dry_run` flag, so that a denied or verifying dry run is recorded as one.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('apim_credentials_bindings', table => {
    table.comment(
      'The catalog entity each API-M application belongs to, per instance',
    );
    table.bigIncrements('id').primary();
    table.string('instance', 64).notNullable();
    table.string('application_id', 64).notNullable();
    table.string('application_name', 255).notNullable();
    // The name lower-cased, as WSO2 compares it; the unique key and the lookup column.
    table.string('application_name_key', 255).notNullable();
    table.string('entity_ref', 255).notNullable();
    // created: Backstage created the application; bound: the platform team bound it;
    // migrated: inferred from the mappings that existed before bindings.
    table.string('origin', 16).notNullable();
    table.string('bound_by', 255).notNullable();
    table.timestamp('bound_at', { useTz: true }).notNullable();
    table.unique(['instance', 'application_id'], {
      indexName: 'apim_bindings_app_id_uq',
    });
    table.unique(['instance', 'application_name_key'], {
      indexName: 'apim_bindings_app_name_uq',
    });
    table.index(['entity_ref'], 'apim_bindings_entity_idx');
  });

  await knex.schema.alterTable('apim_credentials_audit', table => {
    table.boolean('dry_run').notNullable().defaultTo(false);
  });

  const rows = await knex('apim_credentials_mappings')
    .distinct('instance', 'application_id', 'application_name', 'entity_ref')
    .orderBy(['instance', 'application_id', 'entity_ref']);
  /** @type {Map<string, {instance: string, id: string, name: string, entities: Set<string>}>} */
  const apps = new Map();
  for (const row of rows) {
    const key = `${row.instance}\u0000${row.application_id}`;
    const app = apps.get(key) ?? {
      instance: row.instance,
      id: row.application_id,
      name: row.application_name,
      entities: new Set(),
    };
    app.entities.add(row.entity_ref);
    apps.set(key, app);
  }
  const nameCount = new Map();
  for (const app of apps.values()) {
    const key = `${app.instance}\u0000${app.name.toLowerCase()}`;
    nameCount.set(key, (nameCount.get(key) ?? 0) + 1);
  }
  const now = new Date();
  const bindings = [...apps.values()]
    .filter(
      app =>
        app.entities.size === 1 &&
        nameCount.get(`${app.instance}\u0000${app.name.toLowerCase()}`) === 1,
    )
    .map(app => ({
      instance: app.instance,
      application_id: app.id,
      application_name: app.name,
      application_name_key: app.name.toLowerCase(),
      entity_ref: [...app.entities][0],
      origin: 'migrated',
      bound_by: 'migration:20261130120000_application_bindings',
      bound_at: now,
    }));
  for (let i = 0; i < bindings.length; i += 100) {
    await knex('apim_credentials_bindings').insert(bindings.slice(i, i + 100));
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('apim_credentials_audit', table => {
    table.dropColumn('dry_run');
  });
  await knex.schema.dropTable('apim_credentials_bindings');
};
