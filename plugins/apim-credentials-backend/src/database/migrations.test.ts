/**
 * The plugin's migrations step by step on every engine: before each step the rows it must keep
 * or transform are seeded, the step goes up alone, and its rows, columns, tables and indexes are
 * checked; then every step goes down alone, checked to remove what it added and to keep the
 * rows. The checks of each step are in src/__testUtils__/migrationSteps*.ts. MySQL/MariaDB runs
 * in a session like a MySQL 5.7 server's (explicit_defaults_for_timestamp=OFF) in a non-UTC
 * session time zone, where the DATETIME conversions have to keep every instant.
 */
import path from 'node:path';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  AUDIT,
  MAPPINGS,
  MigrationContext,
  MYSQL_SESSION,
  storesOn,
  T1,
} from '../__testUtils__/migrationChecks';
import { BINDINGS_STEP_CHECK } from '../__testUtils__/migrationStepsBindings';
import { EARLY_STEPS } from '../__testUtils__/migrationStepsEarly';
import { LATE_STEPS } from '../__testUtils__/migrationStepsLate';
import { engineOf, knexWithSession } from '../__testUtils__/sessions';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const directory = path.resolve(__dirname, '../../migrations');
const STEPS = [...EARLY_STEPS, BINDINGS_STEP_CHECK, ...LATE_STEPS];

/** The file name of a migration as knex lists it. */
function fileName(migration: unknown): string {
  if (typeof migration === 'string') return migration;
  const { file, name } = migration as { file?: string; name?: string };
  return String(file ?? name);
}

describe.each(databases.eachSupportedId())('migrations on %p', databaseId => {
  const ctx = {
    databaseId,
    engine: engineOf(databaseId),
    startedAt: 0,
  } as MigrationContext;
  let session: Knex | undefined;
  /** The audit ids and mapping keys once every step is up, kept by every down but init's. */
  let kept: { audit: string[]; mappings: string[] } | undefined;

  /** The audit ids and mapping keys, sorted; undefined once init went down. */
  const rowsNow = async () => {
    if (!(await ctx.knex.schema.hasTable(AUDIT))) return undefined;
    return {
      audit: (await ctx.knex(AUDIT).pluck('id')).sort(),
      mappings: (await ctx.knex(MAPPINGS).pluck('consumer_key')).sort(),
    };
  };

  beforeAll(async () => {
    ctx.knex = await databases.init(databaseId);
    if (ctx.engine === 'mysql') {
      session = knexWithSession(ctx.knex, MYSQL_SESSION);
      ctx.knex = session;
    }
  });

  afterAll(async () => {
    await session?.destroy();
  });

  it('takes only the timestamped files as migrations, not the shared/ helpers', async () => {
    const [done, pending] = await ctx.knex.migrate.list({ directory });
    const names = [...done, ...pending].map(fileName);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name).toMatch(/^\d{14}_[a-z_]+\.js$/);
  });

  it('has a check for every migration, in order', async () => {
    const [done, pending] = await ctx.knex.migrate.list({ directory });
    expect(done).toEqual([]);
    expect(pending.map(fileName)).toEqual(STEPS.map(s => s.name));
  });

  it.each(STEPS.map(s => [s.name, s] as const))(
    'steps up %s alone, with rows in place',
    async (name, step) => {
      await step.seed?.(ctx);
      ctx.startedAt = Date.now();
      const [, done] = await ctx.knex.migrate.up({ directory });
      expect(done).toEqual([name]);
      await step.afterUp(ctx);
    },
  );

  it('leaves a schema the stores work on', async () => {
    const { audit } = await storesOn(ctx);
    const id = await audit.startAudit(
      { actor: 'user:default/guest', source: 'ui', action: 'verify' },
      new Date(T1),
    );
    expect((await audit.getAudit(id))?.startedAt).toBe(T1);
    kept = await rowsNow();
  });

  it.each([...STEPS].reverse().map(s => [s.name, s] as const))(
    'steps down %s alone, removing what it added and keeping the rows',
    async (name, step) => {
      const [, done] = await ctx.knex.migrate.down({ directory });
      expect(done).toEqual([name]);
      await step.afterDown(ctx);
      expect(await rowsNow()).toEqual(
        name === STEPS[0].name ? undefined : kept,
      );
    },
  );

  it('ends with nothing run', async () => {
    expect(await ctx.knex.migrate.currentVersion({ directory })).toBe('none');
  });
});
