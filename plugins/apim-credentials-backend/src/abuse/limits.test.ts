/**
 * Issue 10 items 3 and 5 at the REST layer, with API-M irrelevant (configured where nothing
 * listens): verification and provisioning attempts are rate limited per actor and per consumer
 * key across replicas (two backends sharing one database), answered 429 + Retry-After and
 * audited as `denied`; repeated denials of one actor for one entity and action cannot bury the
 * entity's history; a disabled permission framework is announced loudly at start-up.
 */
import { Knex } from 'knex';
import { mockCredentials } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  Backend,
  offlineApimConfig,
  startBackend,
} from '../__testUtils__/harness';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const CELL =
  '/entities/component/default/orders-service/credentials/sandbox/IS';
const SECRET = 'marker-secret-4d1f9c';

const config = (rateLimits: Record<string, number>) =>
  offlineApimConfig({ rateLimits });

/** The body of POST /verify for the cell of CELL with `credentials`. */
const verifyBody = (credentials: object) => ({
  environment: 'sandbox',
  keyManager: 'IS',
  entityRef: 'component:default/orders-service',
  ...credentials,
});

const as = (user: string) => ({
  authorization: mockCredentials.user.header(`user:default/${user}`),
});

async function deniedRows(knex: Knex, actor: string) {
  return knex('apim_credentials_audit')
    .where({ outcome: 'denied', actor: `user:default/${actor}` })
    .orderBy('seq');
}

describe('rate limits across replicas', () => {
  let knex: Knex;
  const backends: Backend[] = [];

  afterEach(async () => {
    await Promise.all(backends.splice(0).map(b => b.stop()));
  });

  async function replicas(
    rateLimits: Record<string, number>,
    permission:
      | AuthorizeResult.ALLOW
      | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
  ) {
    knex = await databases.init('SQLITE_3');
    for (let i = 0; i < 2; i++) {
      backends.push(
        await startBackend({
          stack: undefined as any,
          knex,
          config: config(rateLimits),
          permission,
        }),
      );
    }
    return backends;
  }

  it('two replicas sharing one database exceed the per-actor limit together: 429, Retry-After, a denied row', async () => {
    const [a, b] = await replicas({
      attemptsPerActor: 3,
      attemptsPerConsumerKey: 100,
    });
    const body = { consumerKey: 'client-1', consumerSecret: SECRET };
    // Three attempts spread over both replicas are within the limit (they then fail at API-M).
    for (const [replica, call] of [
      [a, () => a.call('put', CELL, body, as('mallory'))],
      [b, () => b.call('put', CELL, body, as('mallory'))],
      [a, () => a.call('post', '/verify', verifyBody(body), as('mallory'))],
    ] as const) {
      expect(replica).toBeDefined();
      const res = await call();
      expect(res.status).not.toBe(429);
    }
    const res = await b.call('put', CELL, body, as('mallory'));
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('RATE_LIMITED');
    expect(res.body.error.message).toMatch(
      /user:default\/mallory.*at most 3 per 60 s/,
    );
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(JSON.stringify(res.headers) + res.text).not.toContain(SECRET);

    const rows = await deniedRows(knex, 'mallory');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'provision',
      error_code: 'RATE_LIMITED',
      entity_ref: 'component:default/orders-service',
      consumer_key: 'client-1',
    });
    // Another user is not limited by mallory's attempts.
    const other = await a.call(
      'put',
      CELL,
      { ...body, consumerKey: 'client-2' },
      as('alice'),
    );
    expect(other.status).not.toBe(429);
  });

  it('limits attempts per consumer key, whoever makes them, on either replica', async () => {
    const [a, b] = await replicas({
      attemptsPerActor: 100,
      attemptsPerConsumerKey: 2,
    });
    const body = { consumerKey: 'guessed-client', consumerSecret: SECRET };
    expect((await a.call('put', CELL, body, as('u1'))).status).not.toBe(429);
    expect((await b.call('put', CELL, body, as('u2'))).status).not.toBe(429);
    const res = await a.call('post', '/verify', verifyBody(body), as('u3'));
    expect(res.status).toBe(429);
    expect(res.body.error.message).toMatch(/client "guessed-client"/);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    const rows = await deniedRows(knex, 'u3');
    expect(rows).toMatchObject([
      { action: 'verify', error_code: 'RATE_LIMITED' },
    ]);
  });

  it('repeated denials of one actor for one entity and action add at most deniedAuditRowsPerHour rows', async () => {
    const [a, b] = await replicas(
      {
        attemptsPerActor: 1000,
        attemptsPerConsumerKey: 1000,
        deniedAuditRowsPerHour: 3,
      },
      AuthorizeResult.DENY,
    );
    const body = { consumerKey: 'client-1', consumerSecret: SECRET };
    // The same denial again and again is one row counting them (database/deniedRows.ts) ...
    for (let i = 0; i < 4; i++) {
      const res = await (i % 2 ? a : b).call('put', CELL, body, as('mallory'));
      expect(res.status).toBe(403);
    }
    const [repeated] = await deniedRows(knex, 'mallory');
    expect(repeated.attempts).toBe(4);
    // ... and distinct denials (another client each time) are capped.
    for (let i = 2; i < 10; i++) {
      const res = await (i % 2 ? a : b).call(
        'put',
        CELL,
        { ...body, consumerKey: `client-${i}` },
        as('mallory'),
      );
      // Every attempt is still refused; only the rows are capped.
      expect(res.status).toBe(403);
    }
    const rows = await deniedRows(knex, 'mallory');
    expect(rows).toHaveLength(3);
    expect(rows[2].error_message).toMatch(
      /further ones .* are not recorded as audit rows/,
    );
    // The owner's own record of other actors and actions is untouched by mallory's flood.
    expect(
      (
        await a.call(
          'delete',
          `${CELL}?consumerKey=client-1`,
          undefined,
          as('mallory'),
        )
      ).status,
    ).toBe(403);
    expect((await a.call('put', CELL, body, as('trudy'))).status).toBe(403);
    const all = await knex('apim_credentials_audit').where({
      outcome: 'denied',
    });
    expect(all.map(r => `${r.actor} ${r.action}`).sort()).toEqual([
      'user:default/mallory provision',
      'user:default/mallory provision',
      'user:default/mallory provision',
      'user:default/mallory unprovision',
      'user:default/trudy provision',
    ]);
  });
});

describe('start-up warnings', () => {
  it('warns loudly when the permission framework is disabled, and not when it is enabled', async () => {
    const knex = await databases.init('SQLITE_3');
    const off = await startBackend({
      stack: undefined as any,
      knex,
      config: config({}),
    });
    await off.stop();
    expect(off.logs.filter(l => l.startsWith('warn '))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /permission framework is DISABLED.*every signed-in user may .*EVERY entity/,
        ),
      ]),
    );
    const on = await startBackend({
      stack: undefined as any,
      knex,
      config: config({}),
      rootConfig: { permission: { enabled: true } },
    });
    await on.stop();
    expect(on.logs.join('\n')).not.toMatch(/permission framework is DISABLED/);
  });

  it('refuses a rate limit that is not a positive whole number, naming the key', async () => {
    const knex = await databases.init('SQLITE_3');
    await expect(
      startBackend({
        stack: undefined as any,
        knex,
        config: config({ attemptsPerActor: 0 }),
      }),
    ).rejects.toThrow(/apimCredentials\.rateLimits\.attemptsPerActor/);
  });
});
