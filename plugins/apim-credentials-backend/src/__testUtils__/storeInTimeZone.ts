/**
 * Run by timeZones.test.ts as a separate process (with tsx) whose TZ is set by the test: a
 * backend replica in another time zone on the same database. Arguments: a JSON object
 * { knex: knex config, write?: boolean, at: ISO instant }. Writes an audit row and a mapping at
 * `at` when `write`, then prints what this process reads back, as JSON on one line.
 */
import knexFactory from 'knex';
import { createApimCredentialsStores } from '../database/stores';
import { readRowsAt, writeRowsAt } from './timeZoneRows';

async function main() {
  const { knex: config, write, at } = JSON.parse(process.argv[2]);
  const knex = knexFactory(config);
  const store = await createApimCredentialsStores({
    database: { getClient: async () => knex },
    skipMigrations: true,
  });
  const instant = new Date(at);
  if (write) await writeRowsAt(store, instant);
  const seen = await readRowsAt(store, instant);
  await knex.destroy();
  process.stdout.write(
    `${JSON.stringify({
      offsetMinutes: instant.getTimezoneOffset(),
      ...seen,
    })}\n`,
  );
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
