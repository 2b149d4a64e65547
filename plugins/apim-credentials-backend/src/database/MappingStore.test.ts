/** The mapping table (upserts, pages, drift flags) and the per-cell locks, on every engine. */
import { describeStoresOnEachEngine } from '../__testUtils__/storesOnEachEngine';
import { sandboxMapping } from '../__testUtils__/mappingRow';
import { createApimCredentialsStores } from './stores';

jest.setTimeout(60_000);

describeStoresOnEachEngine('MappingStore and CellLocks on %p', db => {
  it('upserts and pages mappings, and flags drift', async () => {
    const cell = {
      entityRef: 'component:default/a',
      environment: 'sandbox',
      keyManager: 'IS',
    };
    const mapping = sandboxMapping(cell);
    await db.stores.mappings.upsertMapping(mapping);
    await db.stores.mappings.upsertMapping({
      ...mapping,
      consumerKey: 'c2',
      keyMappingId: 'k2',
    });
    const rows = await db.stores.mappings.getMappingsForEntity(cell.entityRef);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      consumerKey: 'c2',
      grantTypes: ['client_credentials'],
      state: 'active',
    });
    await db.stores.mappings.markDrift(cell, 'removed in API-M');
    expect(
      (await db.stores.mappings.getMappingsForEntity(cell.entityRef))[0],
    ).toMatchObject({ state: 'drifted', driftReason: 'removed in API-M' });
    for (let i = 0; i < 5; i++)
      await db.stores.mappings.upsertMapping({
        ...mapping,
        entityRef: `component:default/m${i}`,
      });
    const page1 = await db.stores.mappings.queryMappings({ limit: 4 });
    const page2 = await db.stores.mappings.queryMappings({
      limit: 4,
      cursor: page1.nextCursor,
    });
    expect(page1.items).toHaveLength(4);
    expect(page2.items).toHaveLength(2);
    // The total of the filters comes with the first page only (the tab count, issue 15 item 5).
    expect(page1.total).toBe(6);
    expect(page2.total).toBeUndefined();
    expect(
      (
        await db.stores.mappings.queryMappings({
          limit: 50,
          entityRef: 'component:default/m1',
        })
      ).items,
    ).toHaveLength(1);
    await db.stores.mappings.deleteMapping(cell);
    expect(
      await db.stores.mappings.getMappingsForEntity(cell.entityRef),
    ).toEqual([]);
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
    await db.stores.mappings.upsertMapping({
      ...base,
      entityRef: 'component:default/holder-a',
      consumerKey: 'leaked-key',
    });
    await db.stores.mappings.upsertMapping({
      ...base,
      entityRef: 'component:default/holder-b',
      environment: 'production',
      consumerKey: 'leaked-key',
    });
    // A key that merely starts like the one asked for is someone else's client.
    await db.stores.mappings.upsertMapping({
      ...base,
      entityRef: 'component:default/holder-c',
      consumerKey: 'leaked-key-2',
    });
    const held = await db.stores.mappings.queryMappings({
      limit: 50,
      consumerKey: 'leaked-key',
    });
    expect(held.total).toBe(2);
    expect(held.items.map(m => [m.entityRef, m.environment]).sort()).toEqual([
      ['component:default/holder-a', 'sandbox'],
      ['component:default/holder-b', 'production'],
    ]);
    await db.stores.mappings.markDrift(
      {
        ...base,
        entityRef: 'component:default/holder-b',
        environment: 'production',
      },
      'removed in API-M',
    );
    const drifted = await db.stores.mappings.queryMappings({
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
      Array.from({ length: 8 }, () =>
        db.stores.locks.withCellLock('cell-a', work),
      ),
    );
    expect(maxInside).toBe(1);
    // A second store on the same database stands for a second backend replica.
    const replica = (
      await createApimCredentialsStores({
        database: { getClient: async () => db.knex },
        skipMigrations: true,
      })
    ).locks;
    inside = 0;
    maxInside = 0;
    await Promise.all([
      db.stores.locks.withCellLock('cell-b', work),
      replica.withCellLock('cell-b', work),
    ]);
    expect(maxInside).toBe(1);
    expect(
      Number((await db.knex('apim_credentials_locks').count({ n: '*' }))[0].n),
    ).toBe(0);
  });

  it('takes over a lock whose holder died, and gives up on a live one', async () => {
    await db.knex('apim_credentials_locks').insert({
      cell: 'dead',
      owner: 'x',
      expires_at: Date.now() - 1,
    });
    await expect(
      db.stores.locks.withCellLock('dead', async () => 'ran'),
    ).resolves.toBe('ran');
    await db.knex('apim_credentials_locks').insert({
      cell: 'busy',
      owner: 'y',
      expires_at: Date.now() + 60_000,
    });
    await expect(
      db.stores.locks.withCellLock('busy', async () => 'ran', { waitMs: 100 }),
    ).rejects.toThrow(/in progress/);
  });

  it('migrates down and up again', async () => {
    const dir = require('node:path').resolve(__dirname, '../../migrations');
    await db.knex.migrate.rollback({ directory: dir }, true);
    expect(await db.knex.schema.hasTable('apim_credentials_audit')).toBe(false);
    await db.knex.migrate.latest({ directory: dir });
    expect(await db.knex.schema.hasTable('apim_credentials_audit')).toBe(true);
  });
});
