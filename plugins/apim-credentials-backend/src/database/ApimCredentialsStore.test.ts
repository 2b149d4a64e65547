import { Knex } from 'knex';
import {
  createTestDatabases,
  expectPostgresWhenRequired,
} from '../__testUtils__/databases';
import { rawTimestamp } from '../__testUtils__/sessions';
import { ApimCredentialsStore } from './ApimCredentialsStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();

it('runs the PostgreSQL cases when CI asks for them', () => {
  expectPostgresWhenRequired(databases);
});

describe.each(databases.eachSupportedId())(
  'ApimCredentialsStore on %p',
  databaseId => {
    let knex: Knex;
    let store: ApimCredentialsStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      store = await ApimCredentialsStore.create({
        database: { getClient: async () => knex, migrations: { skip: false } },
      });
    });

    const start = (over: Record<string, unknown> = {}) => ({
      actor: 'user:default/guest',
      source: 'ui' as const,
      action: 'provision' as const,
      entityRef: 'component:default/orders-service',
      environment: 'sandbox',
      instance: 'local',
      keyType: 'SANDBOX' as const,
      keyManager: 'IS',
      applicationName: 'orders-service',
      consumerKey: 'client-1',
      ...over,
    });

    it('writes a pending row, then completes it', async () => {
      const id = await store.startAudit(start());
      expect(await store.getAudit(id)).toMatchObject({
        outcome: 'pending',
        actor: 'user:default/guest',
      });
      await store.completeAudit(id, {
        outcome: 'succeeded',
        keyMappingId: 'km-1',
        applicationId: 'app-1',
      });
      const row = await store.getAudit(id);
      expect(row).toMatchObject({
        outcome: 'succeeded',
        keyMappingId: 'km-1',
        applicationId: 'app-1',
      });
      expect(new Date(row!.finishedAt!).getTime()).toBeGreaterThanOrEqual(
        new Date(row!.startedAt).getTime(),
      );
    });

    it('records whether a provisioning verified the credentials, and leaves it unknown otherwise (issue 15 item 7)', async () => {
      const verified = await store.startAudit(start());
      await store.completeAudit(verified, {
        outcome: 'succeeded',
        verified: true,
      });
      const unverified = await store.startAudit(start());
      await store.completeAudit(unverified, {
        outcome: 'succeeded',
        verified: false,
      });
      const unknown = await store.startAudit(start());
      await store.completeAudit(unknown, { outcome: 'failed' });
      expect((await store.getAudit(verified))?.verified).toBe(true);
      expect((await store.getAudit(unverified))?.verified).toBe(false);
      expect(await store.getAudit(unknown)).not.toHaveProperty('verified');
    });

    it('pages the audit newest first with a keyset cursor, under every filter', async () => {
      await knex('apim_credentials_audit').delete();
      for (let i = 0; i < 25; i++) {
        const id = await store.startAudit(
          start({
            environment: i % 2 ? 'sandbox' : 'production',
            actor: `user:default/u${i % 3}`,
          }),
          new Date(Date.UTC(2026, 0, 1, 0, i)),
        );
        await store.completeAudit(id, {
          outcome: i % 5 ? 'succeeded' : 'failed',
        });
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.queryAudit({ limit: 10, cursor });
        seen.push(...page.items.map(r => r.startedAt));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(25);
      expect([...seen].sort().reverse()).toEqual(seen);

      const sandbox = await store.queryAudit({
        limit: 100,
        environment: 'sandbox',
      });
      expect(sandbox.items).toHaveLength(12);
      expect(sandbox.items.every(r => r.environment === 'sandbox')).toBe(true);
      const failed = await store.queryAudit({ limit: 100, outcome: 'failed' });
      expect(failed.items).toHaveLength(5);
      const actor = await store.queryAudit({
        limit: 100,
        actor: 'user:default/u1',
      });
      expect(actor.items.every(r => r.actor === 'user:default/u1')).toBe(true);
      const window = await store.queryAudit({
        limit: 100,
        since: '2026-01-01T00:05:00Z',
        until: '2026-01-01T00:10:00Z',
      });
      expect(window.items).toHaveLength(5);

      const streamed: string[] = [];
      for await (const r of store.streamAudit({ outcome: 'succeeded' }, 7))
        streamed.push(r.id);
      expect(streamed).toHaveLength(20);
    });

    it('pages rows that started in the same millisecond, and time windows, without gaps or repeats', async () => {
      await knex('apim_credentials_audit').delete();
      const sameTime = new Date(Date.UTC(2026, 5, 1, 12));
      for (let i = 0; i < 9; i++)
        await store.startAudit(start({ environment: `e${i}` }), sameTime);
      for (let i = 0; i < 6; i++)
        await store.startAudit(
          start(),
          new Date(sameTime.getTime() + (i + 1) * 1000),
        );
      const walk = async (query: Record<string, unknown>) => {
        const ids: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.queryAudit({
            limit: 4,
            ...query,
            cursor,
          } as any);
          ids.push(...page.items.map(r => r.id));
          cursor = page.nextCursor;
        } while (cursor);
        return ids;
      };
      const all = await walk({});
      expect(all).toHaveLength(15);
      expect(new Set(all).size).toBe(15);
      const window = await walk({
        since: sameTime.toISOString(),
        until: new Date(sameTime.getTime() + 3500).toISOString(),
      });
      expect(window).toHaveLength(12);
      const streamed: string[] = [];
      for await (const r of store.streamAudit({}, 4)) streamed.push(r.id);
      expect(streamed).toEqual(all);
    });

    it('pages rows a few microseconds apart exactly once, also when exporting (issue 12 item 9)', async () => {
      await knex('apim_credentials_audit').delete();
      // 120 rows inside one millisecond, inserted out of time order as replicas would.
      const micros = Array.from({ length: 120 }, (_, i) => (i * 37) % 120);
      for (const [i, us] of micros.entries()) {
        await knex('apim_credentials_audit').insert({
          id: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
          started_at: rawTimestamp(
            knex,
            databaseId,
            `2026-07-01T12:00:00.123${String(us * 7).padStart(3, '0')}Z`,
          ),
          actor: 'user:default/guest',
          source: 'ui',
          action: 'provision',
          outcome: 'succeeded',
        });
      }
      const pages: number[] = [];
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.queryAudit({ limit: 50, cursor });
        pages.push(page.items.length);
        ids.push(...page.items.map(r => r.id));
        cursor = page.nextCursor;
      } while (cursor && pages.length < 10);
      expect(pages).toEqual([50, 50, 20]);
      expect(new Set(ids).size).toBe(120);
      const streamed: string[] = [];
      for await (const r of store.streamAudit({}, 50)) streamed.push(r.id);
      expect(streamed).toEqual(ids);
    });

    it('stores entity refs in canonical form and finds them in any case (issue 12 item 6)', async () => {
      await knex('apim_credentials_audit').delete();
      await knex('apim_credentials_mappings').delete();
      const ref = 'Component:Default/Orders-Reporting';
      await store.recordAudit(
        start({ entityRef: ref, actor: 'User:default/Guest' }),
        { outcome: 'succeeded' },
      );
      await store.recordAudit(
        start({ entityRef: ref.toLowerCase(), actor: 'user:default/guest' }),
        { outcome: 'failed' },
      );
      const stored = await knex('apim_credentials_audit').select(
        'entity_ref',
        'actor',
      );
      expect(stored).toEqual([
        {
          entity_ref: 'component:default/orders-reporting',
          actor: 'user:default/guest',
        },
        {
          entity_ref: 'component:default/orders-reporting',
          actor: 'user:default/guest',
        },
      ]);
      for (const entityRef of [
        ref,
        ref.toLowerCase(),
        'COMPONENT:DEFAULT/ORDERS-REPORTING',
      ]) {
        expect(
          (await store.queryAudit({ limit: 10, entityRef })).items,
        ).toHaveLength(2);
        const exported: string[] = [];
        for await (const r of store.streamAudit({ entityRef }))
          exported.push(r.id);
        expect(exported).toHaveLength(2);
      }
      expect(
        (await store.queryAudit({ limit: 10, actor: 'user:Default/GUEST' }))
          .items,
      ).toHaveLength(2);

      const mapping = {
        entityRef: ref,
        environment: 'sandbox',
        keyManager: 'IS',
        instance: 'local',
        keyType: 'SANDBOX' as const,
        applicationId: 'app-1',
        applicationName: 'orders-reporting',
        consumerKey: 'c1',
        keyMappingId: 'k1',
        grantTypes: ['client_credentials'],
        provisionedBy: 'User:default/Guest',
        provisionedAt: new Date(),
      };
      await store.upsertMapping(mapping);
      // The same cell in another spelling is the same row, not a second one.
      await store.upsertMapping({
        ...mapping,
        entityRef: ref.toLowerCase(),
        consumerKey: 'c2',
      });
      const mappings = await store.getMappingsForEntity(
        'component:DEFAULT/orders-REPORTING',
      );
      expect(mappings).toHaveLength(1);
      expect(mappings[0]).toMatchObject({
        entityRef: 'component:default/orders-reporting',
        provisionedBy: 'user:default/guest',
        consumerKey: 'c2',
      });
      expect(
        (await store.queryMappings({ limit: 10, entityRef: ref })).items,
      ).toHaveLength(1);
      await store.markDrift(
        { ...mapping, entityRef: ref.toUpperCase() },
        'gone',
      );
      expect((await store.getMappingsForEntity(ref))[0].state).toBe('drifted');
      await store.deleteMapping(mapping);
      expect(await store.getMappingsForEntity(ref)).toEqual([]);
    });

    it('rejects a forged cursor', async () => {
      await expect(
        store.queryAudit({ limit: 10, cursor: 'bm90LWEtbnVtYmVy' }),
      ).rejects.toThrow(/cursor/);
    });

    it('upserts and pages mappings, and flags drift', async () => {
      const cell = {
        entityRef: 'component:default/a',
        environment: 'sandbox',
        keyManager: 'IS',
      };
      const mapping = {
        ...cell,
        instance: 'local',
        keyType: 'SANDBOX' as const,
        applicationId: 'app-1',
        applicationName: 'a',
        consumerKey: 'c1',
        keyMappingId: 'k1',
        grantTypes: ['client_credentials'],
        provisionedBy: 'user:default/guest',
        provisionedAt: new Date(),
      };
      await store.upsertMapping(mapping);
      await store.upsertMapping({
        ...mapping,
        consumerKey: 'c2',
        keyMappingId: 'k2',
      });
      const rows = await store.getMappingsForEntity(cell.entityRef);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        consumerKey: 'c2',
        grantTypes: ['client_credentials'],
        state: 'active',
      });
      await store.markDrift(cell, 'removed in API-M');
      expect(
        (await store.getMappingsForEntity(cell.entityRef))[0],
      ).toMatchObject({ state: 'drifted', driftReason: 'removed in API-M' });
      for (let i = 0; i < 5; i++)
        await store.upsertMapping({
          ...mapping,
          entityRef: `component:default/m${i}`,
        });
      const page1 = await store.queryMappings({ limit: 4 });
      const page2 = await store.queryMappings({
        limit: 4,
        cursor: page1.nextCursor,
      });
      expect(page1.items).toHaveLength(4);
      expect(page2.items).toHaveLength(2);
      expect(
        (
          await store.queryMappings({
            limit: 50,
            entityRef: 'component:default/m1',
          })
        ).items,
      ).toHaveLength(1);
      await store.deleteMapping(cell);
      expect(await store.getMappingsForEntity(cell.entityRef)).toEqual([]);
    });

    it('filters mappings by consumer key and by drift state (issue 14 item 3)', async () => {
      const base = {
        environment: 'sandbox',
        keyManager: 'IS',
        instance: 'local',
        keyType: 'SANDBOX' as const,
        applicationId: 'app-1',
        applicationName: 'x',
        keyMappingId: 'k',
        grantTypes: ['client_credentials'],
        provisionedBy: 'user:default/guest',
        provisionedAt: new Date(),
      };
      await store.upsertMapping({
        ...base,
        entityRef: 'component:default/holder-a',
        consumerKey: 'leaked-key',
      });
      await store.upsertMapping({
        ...base,
        entityRef: 'component:default/holder-b',
        environment: 'production',
        consumerKey: 'leaked-key',
      });
      // A key that merely starts like the one asked for is someone else's client.
      await store.upsertMapping({
        ...base,
        entityRef: 'component:default/holder-c',
        consumerKey: 'leaked-key-2',
      });
      const held = await store.queryMappings({
        limit: 50,
        consumerKey: 'leaked-key',
      });
      expect(held.items.map(m => [m.entityRef, m.environment]).sort()).toEqual([
        ['component:default/holder-a', 'sandbox'],
        ['component:default/holder-b', 'production'],
      ]);
      await store.markDrift(
        {
          ...base,
          entityRef: 'component:default/holder-b',
          environment: 'production',
        },
        'removed in API-M',
      );
      const drifted = await store.queryMappings({
        limit: 50,
        state: 'drifted',
        consumerKey: 'leaked-key',
      });
      expect(drifted.items.map(m => m.entityRef)).toEqual([
        'component:default/holder-b',
      ]);
    });

    it('serialises work on one cell and lets other cells run', async () => {
      let inside = 0;
      let maxInside = 0;
      const work = async () => {
        inside += 1;
        maxInside = Math.max(maxInside, inside);
        await new Promise(r => setTimeout(r, 20));
        inside -= 1;
      };
      await Promise.all(
        Array.from({ length: 8 }, () => store.withCellLock('cell-a', work)),
      );
      expect(maxInside).toBe(1);
      // A second store on the same database stands for a second backend replica.
      const replica = new ApimCredentialsStore(knex);
      inside = 0;
      maxInside = 0;
      await Promise.all([
        store.withCellLock('cell-b', work),
        replica.withCellLock('cell-b', work),
      ]);
      expect(maxInside).toBe(1);
      expect(
        Number((await knex('apim_credentials_locks').count({ n: '*' }))[0].n),
      ).toBe(0);
    });

    it('takes over a lock whose holder died, and gives up on a live one', async () => {
      await knex('apim_credentials_locks').insert({
        cell: 'dead',
        owner: 'x',
        expires_at: Date.now() - 1,
      });
      await expect(store.withCellLock('dead', async () => 'ran')).resolves.toBe(
        'ran',
      );
      await knex('apim_credentials_locks').insert({
        cell: 'busy',
        owner: 'y',
        expires_at: Date.now() + 60_000,
      });
      await expect(
        store.withCellLock('busy', async () => 'ran', { waitMs: 100 }),
      ).rejects.toThrow(/in progress/);
    });

    it('migrates down and up again', async () => {
      const dir = require('node:path').resolve(__dirname, '../../migrations');
      await knex.migrate.rollback({ directory: dir }, true);
      expect(await knex.schema.hasTable('apim_credentials_audit')).toBe(false);
      await knex.migrate.latest({ directory: dir });
      expect(await knex.schema.hasTable('apim_credentials_audit')).toBe(true);
    });
  },
);
