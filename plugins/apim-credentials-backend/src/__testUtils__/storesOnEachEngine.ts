/**
 * The set-up of the suites that test the stores on every engine the tests have: the engines
 * (createTestDatabases), the test that fails when CI's required engines are missing, and per
 * engine a describe block with a fresh migrated database and the plugin's stores over it.
 */
/* eslint-disable jest/no-export, jest/valid-title -- a suite builder that test files call, not a test file; titles are the callers' strings */
import { Knex } from 'knex';
import type { TestDatabaseId } from '@backstage/backend-test-utils';
import {
  ApimCredentialsStores,
  createApimCredentialsStores,
} from '../database/stores';
import { createTestDatabases, missingRequiredEngines } from './databases';

/** One engine's database and stores; `knex` and `stores` are set before the block's tests. */
export interface EngineStores {
  databaseId: TestDatabaseId;
  knex: Knex;
  stores: ApimCredentialsStores;
}

/**
 * Declares `suite` once per engine, in a describe block named `title` (`%p`: the engine id).
 * `deniedRows` is the stores' gate for denied rows (default: write every one).
 */
export function describeStoresOnEachEngine(
  title: string,
  suite: (db: EngineStores) => void,
  options: Pick<
    Parameters<typeof createApimCredentialsStores>[0],
    'deniedRows'
  > = {},
): void {
  const databases = createTestDatabases();

  it('runs the PostgreSQL cases when CI asks for them', () => {
    expect(missingRequiredEngines(databases)).toEqual([]);
  });

  describe.each(databases.eachSupportedId())(title, databaseId => {
    const db = { databaseId } as EngineStores;
    beforeAll(async () => {
      db.knex = await databases.init(databaseId);
      db.stores = await createApimCredentialsStores({
        database: { getClient: async () => db.knex },
        ...options,
      });
    });
    suite(db);
  });
}
