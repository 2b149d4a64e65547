/**
 * Run by timeZones.test.ts as a separate process (with tsx) whose TZ is set by the test: a
 * backend replica in another time zone on the same database. Arguments: a JSON object
 * { knex: knex config, write?: boolean, at: ISO instant }. Writes an audit row and a mapping at
 * `at` when `write`, then prints what this process reads back, as JSON on one line.
 */
import knexFactory from 'knex';
import { createApimCredentialsStores } from '../database/stores';

async function main() {
  const { knex: config, write, at } = JSON.parse(process.argv[2]);
  const knex = knexFactory(config);
  const store = await createApimCredentialsStores({
    database: { getClient: async () => knex },
    skipMigrations: true,
  });
  const instant = new Date(at);
  const entityRef = 'component:default/orders-service';
  if (write) {
    const id = await store.audit.startAudit(
      {
        actor: 'user:default/guest',
        source: 'ui',
        action: 'provision',
        entityRef,
      },
      instant,
    );
    await store.audit.completeAudit(
      id,
      { outcome: 'succeeded' },
      new Date(instant.getTime() + 1500),
    );
    await store.mappings.upsertMapping({
      entityRef,
      environment: 'sandbox',
      keyManager: 'IS',
      instance: 'local',
      keyType: 'SANDBOX',
      applicationId: 'app-1',
      applicationName: 'orders-service',
      consumerKey: 'c1',
      keyMappingId: 'k1',
      grantTypes: ['client_credentials'],
      provisionedBy: 'user:default/guest',
      provisionedAt: instant,
    });
  }
  const window = await store.audit.queryAudit({
    limit: 10,
    since: instant.toISOString(),
    until: new Date(instant.getTime() + 1).toISOString(),
  });
  const mappings = await store.mappings.getMappingsForEntity(entityRef);
  await knex.destroy();
  process.stdout.write(
    `${JSON.stringify({
      offsetMinutes: instant.getTimezoneOffset(),
      audit: window.items.map(r => ({
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
      })),
      provisionedAt: mappings.map(m => m.provisionedAt),
    })}\n`,
  );
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
