import { TestDatabases } from '@backstage/backend-test-utils';

/**
 * The engines our stores run on in tests: SQLite always, PostgreSQL 15 when
 * BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING points at a server (CI sets it, and sets
 * APIM_TEST_REQUIRE_POSTGRES=1 so that a missing server fails instead of silently skipping).
 */
export function createTestDatabases() {
  return TestDatabases.create({ ids: ['POSTGRES_15', 'MYSQL_8', 'SQLITE_3'] });
}

export function expectPostgresWhenRequired(databases: TestDatabases) {
  if (process.env.APIM_TEST_REQUIRE_POSTGRES === '1') {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  }
}
