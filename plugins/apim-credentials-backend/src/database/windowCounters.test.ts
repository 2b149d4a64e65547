/**
 * The rate-limit counters on every engine: concurrent hits from two "replicas" (two counters on
 * one database) are all counted, windows are fixed and end, ended windows are swept.
 */
import { ApimCredentialsDatabase } from './ApimCredentialsDatabase';
import { DatabaseWindowCounter } from './windowCounters';
import {
  createTestDatabases,
  missingRequiredEngines,
} from '../__testUtils__/databases';

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe('DatabaseWindowCounter', () => {
  it('requires PostgreSQL in CI', () =>
    expect(missingRequiredEngines(databases)).toEqual([]));

  it.each(databases.eachSupportedId())('%p', async databaseId => {
    const knex = await databases.init(databaseId);
    await ApimCredentialsDatabase.create({
      database: { getClient: async () => knex },
    });
    let now = 1_800_000_000_000 + 10_000; // 10 s into a 60 s window
    const replicas = [0, 1].map(
      () => new DatabaseWindowCounter(knex, () => now),
    );

    const hits = await Promise.all(
      Array.from({ length: 20 }, (_, i) => replicas[i % 2].hit('actor:a', 60)),
    );
    expect(Math.max(...hits.map(h => h.count))).toBe(20);
    expect(hits.map(h => h.count).sort((x, y) => x - y)).toEqual(
      expect.arrayContaining([20]),
    );
    expect(hits[0].resetInSeconds).toBe(50);
    // Where the upsert returns the count (PostgreSQL, SQLite), a hit is one statement and each
    // hit sees its own count; MySQL/MariaDB read the count back (two statements).
    const statements: string[] = [];
    const onQuery = (q: { sql: string }) => statements.push(q.sql);
    knex.on('query', onQuery);
    const single = await replicas[0].hit('actor:single', 60);
    knex.off('query', onQuery);
    expect(single.count).toBe(1);
    const isMysql = databaseId.startsWith('MYSQL');
    expect(statements).toHaveLength(isMysql ? 2 : 1);
    const counts = hits.map(h => h.count).sort((x, y) => x - y);
    const ownCounts = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(counts).toEqual(isMysql ? counts : ownCounts);
    // Several keys in one statement (a provisioning counts its actor and its client at once):
    // each is counted, answers come in the order asked, and overlapping calls from two replicas
    // with the keys in opposite orders all count (rows are locked in one order: no deadlock).
    statements.length = 0;
    knex.on('query', onQuery);
    const pair = await replicas[0].hitMany(['actor:single', 'client:k'], 60);
    knex.off('query', onQuery);
    expect(pair.map(h => h.count)).toEqual([2, 1]);
    expect(statements).toHaveLength(isMysql ? 2 : 1);
    const crossed = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        replicas[i % 2].hitMany(i % 2 ? ['x:1', 'x:2'] : ['x:2', 'x:1'], 60),
      ),
    );
    expect(crossed).toHaveLength(20);
    const [x1, x2] = await replicas[0].hitMany(['x:1', 'x:2'], 60);
    expect([x1.count, x2.count]).toEqual([21, 21]);
    // A key named twice is one hit (PostgreSQL would refuse the row twice in one statement).
    const twice = await replicas[1].hitMany(['x:1', 'x:1'], 60);
    expect(twice.map(h => h.count)).toEqual([22, 22]);
    // Other keys count apart; the key is not stored in clear.
    expect((await replicas[0].hit('actor:b', 60)).count).toBe(1);
    const stored = await knex('apim_credentials_rate_limits').select();
    expect(JSON.stringify(stored)).not.toMatch(/actor:|client:|x:1/);

    // The next window starts at zero, and a later sweep deletes the ended one.
    now += 60_000;
    expect((await replicas[1].hit('actor:a', 60)).count).toBe(1);
    now += 120_000;
    await replicas[0].hit('actor:c', 60);
    const left = await knex('apim_credentials_rate_limits').select();
    expect(left).toHaveLength(1);
    expect(left[0].hits).toBe(1);
  });
});
