/**
 * Issue 12 item 8: the store in a process whose time zone is not UTC. Two replicas on one
 * database: this test process and a child process in another zone (Asia/Kolkata when this one
 * is in UTC, UTC otherwise; a process has one time zone). Each reads back exactly the instants
 * the other wrote, and `since`/`until` find them. On SQLite (a file), PostgreSQL and
 * MySQL/MariaDB.
 */
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import knexFactory, { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  ENTITY,
  SeenRows,
  readRowsAt,
  writeRowsAt,
} from '../__testUtils__/timeZoneRows';
import { ApimCredentialsStores, createApimCredentialsStores } from './stores';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const run = promisify(execFile);

/** A zone other than this process's: the child must disagree with us about local time. */
const OTHER_TZ =
  new Date('2026-04-01T00:00:00Z').getTimezoneOffset() === 0
    ? 'Asia/Kolkata'
    : 'UTC';

interface Seen extends SeenRows {
  offsetMinutes?: number;
}

/** Runs the store in a child process with TZ=`tz`; it writes at `at` when `write`, then reads. */
async function replica(
  tz: string,
  knexConfig: Knex.Config,
  at: string,
  write: boolean,
): Promise<Seen> {
  const { stdout } = await run(
    process.execPath,
    [
      '--require',
      require.resolve('tsx/cjs'),
      path.resolve(__dirname, '../__testUtils__/storeInTimeZone.ts'),
      JSON.stringify({ knex: knexConfig, at, write }),
    ],
    { env: { ...process.env, TZ: tz }, timeout: 60_000 },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

function expected(at: string): Seen {
  return {
    audit: [
      {
        startedAt: at,
        finishedAt: new Date(new Date(at).getTime() + 1500).toISOString(),
      },
    ],
    provisionedAt: [at],
  };
}

describe.each(databases.eachSupportedId())(
  'replicas in two time zones on %p',
  databaseId => {
    let config: Knex.Config;
    let cleanup: () => Promise<void> = async () => {};
    let store: ApimCredentialsStores;

    beforeAll(async () => {
      let knex: Knex;
      if (databaseId === 'SQLITE_3') {
        // TestDatabases' SQLite lives in memory; two processes need a file.
        const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'apim-tz-'));
        config = {
          client: 'better-sqlite3',
          connection: { filename: path.join(dir, 'db.sqlite') },
          useNullAsDefault: true,
        };
        knex = knexFactory(config);
        cleanup = async () => {
          await knex.destroy();
          await fs.rm(dir, { recursive: true, force: true });
        };
      } else {
        knex = await databases.init(databaseId);
        const { client, connection } = knex.client.config;
        config = {
          client,
          // knex hides the password (not enumerable); the child needs it.
          connection: { ...connection, password: connection.password },
          pool: { min: 0, max: 2 },
        };
      }
      store = await createApimCredentialsStores({
        database: { getClient: async () => knex },
      });
    });

    afterAll(async () => {
      await cleanup();
    });

    it(`agrees with a replica in ${OTHER_TZ} on every instant either writes`, async () => {
      // The child writes and reads its own rows, then this process reads them.
      const theirs = '2026-04-01T00:00:00.250Z';
      if (databaseId === 'MYSQL_8') {
        const kk = knexFactory(config);
        console.log(
          JSON.stringify(
            await kk.raw('SHOW CREATE TABLE apim_credentials_mappings'),
          ),
        );
        console.log(JSON.stringify(await kk('knex_migrations').select('name')));
        await kk.destroy();
      }
      const child = await replica(OTHER_TZ, config, theirs, true);
      expect(child.offsetMinutes).toBe(OTHER_TZ === 'UTC' ? 0 : -330);
      expect(child).toMatchObject(expected(theirs));
      expect(await readRowsAt(store, new Date(theirs))).toEqual(
        expected(theirs),
      );

      // This process writes, the child reads.
      await store.mappings.deleteMapping({
        entityRef: ENTITY,
        environment: 'sandbox',
        keyManager: 'IS',
      });
      const ours = '2026-04-02T23:59:59.750Z';
      await writeRowsAt(store, new Date(ours));
      expect(await replica(OTHER_TZ, config, ours, false)).toMatchObject(
        expected(ours),
      );
    });
  },
);
