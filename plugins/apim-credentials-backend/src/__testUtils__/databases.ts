import { TestDatabases } from '@backstage/backend-test-utils';
import type { TestDatabaseId } from '@backstage/backend-test-utils';

/**
 * The engines our stores run on in tests: SQLite always; PostgreSQL 15 and MySQL 8 (MariaDB
 * here) when BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING /
 * BACKSTAGE_TEST_DATABASE_MYSQL8_CONNECTION_STRING point at a server. Only those are asked for,
 * so that TestDatabases never falls back to Docker (which these machines do not have). CI sets
 * APIM_TEST_REQUIRE_POSTGRES=1 so that a missing PostgreSQL fails instead of silently skipping.
 */
export function createTestDatabases() {
  const ids: TestDatabaseId[] = ['SQLITE_3'];
  if (process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING)
    ids.unshift('POSTGRES_15');
  if (process.env.BACKSTAGE_TEST_DATABASE_MYSQL8_CONNECTION_STRING)
    ids.splice(ids.length - 1, 0, 'MYSQL_8');
  return TestDatabases.create({ ids });
}

/**
 * The engines CI asked for (APIM_TEST_REQUIRE_POSTGRES=1) that this run cannot reach; `[]` when
 * nothing is missing. A test expects `[]`, so that a missing server fails rather than skips.
 */
export function missingRequiredEngines(
  databases: TestDatabases,
): TestDatabaseId[] {
  const required: TestDatabaseId[] =
    process.env.APIM_TEST_REQUIRE_POSTGRES === '1' ? ['POSTGRES_15'] : [];
  return required.filter(id => !databases.supports(id));
}

export function expectPostgresWhenRequired(databases: TestDatabases) {
  expect(missingRequiredEngines(databases)).toEqual([]);
}
