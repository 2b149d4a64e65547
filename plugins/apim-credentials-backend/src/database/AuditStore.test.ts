/** The audit table: pending rows completed, finished rows, keyset pages and exports, canonical refs. */
import { describeStoresOnEachEngine } from '../__testUtils__/storesOnEachEngine';
import { rawTimestamp } from '../__testUtils__/sessions';
import { sandboxMapping } from '../__testUtils__/mappingRow';
import { createApimCredentialsStores } from './stores';

jest.setTimeout(60_000);

describeStoresOnEachEngine('AuditStore on %p', db => {
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
  /** Writes a row and completes it with `completion`; answers its id. */
  const finished = async (
    completion: Parameters<typeof db.stores.audit.completeAudit>[1],
  ) => {
    const id = await db.stores.audit.startAudit(start());
    await db.stores.audit.completeAudit(id, completion);
    return id;
  };
  it('writes a pending row, then completes it', async () => {
    const id = await db.stores.audit.startAudit(start());
    expect(await db.stores.audit.getAudit(id)).toMatchObject({
      outcome: 'pending',
      actor: 'user:default/guest',
    });
    await db.stores.audit.completeAudit(id, {
      outcome: 'succeeded',
      keyMappingId: 'km-1',
      applicationId: 'app-1',
    });
    const row = await db.stores.audit.getAudit(id);
    expect(row).toMatchObject({
      outcome: 'succeeded',
      keyMappingId: 'km-1',
      applicationId: 'app-1',
    });
    expect(new Date(row!.finishedAt!).getTime()).toBeGreaterThanOrEqual(
      new Date(row!.startedAt).getTime(),
    );
  });

  it("keeps a successful row's resolution and note apart from error fields (issue 9)", async () => {
    const id = await finished({
      outcome: 'succeeded',
      resolution: 'RESOLVED_BY_JOB',
      note: 'API-M holds the mapping',
    });
    const row = await db.stores.audit.getAudit(id);
    expect(row).toMatchObject({
      resolution: 'RESOLVED_BY_JOB',
      note: 'API-M holds the mapping',
    });
    expect(row?.errorCode).toBeUndefined();
    expect(
      await db.stores.audit.getAudit(await db.stores.audit.startAudit(start())),
    ).not.toHaveProperty('resolution');
  });

  it('writes a finished row in one insert, and lets the gate drop or annotate denials', async () => {
    const gated = await createApimCredentialsStores({
      database: { getClient: async () => db.knex },
      skipMigrations: true,
      deniedRows: async s =>
        s.consumerKey === 'drop'
          ? { write: false }
          : { write: true, note: ' (and 3 more)' },
    });
    const inserts: string[] = [];
    const onQuery = (q: { sql: string }) => {
      if (/^\s*(insert|update)/i.test(q.sql)) inserts.push(q.sql);
    };
    db.knex.on('query', onQuery);
    try {
      const id = await gated.audit.recordAudit(start(), {
        outcome: 'failed',
        errorCode: 'APIM_TIMEOUT',
      });
      expect(inserts).toHaveLength(1);
      expect(await gated.audit.getAudit(id!)).toMatchObject({
        outcome: 'failed',
        errorCode: 'APIM_TIMEOUT',
        finishedAt: expect.any(String),
      });
    } finally {
      db.knex.off('query', onQuery);
    }
    const denial = { outcome: 'denied' as const, errorMessage: 'no' };
    expect(
      await gated.audit.recordAudit(start({ consumerKey: 'drop' }), denial),
    ).toBeUndefined();
    const kept = await gated.audit.recordAudit(start(), denial);
    expect((await gated.audit.getAudit(kept!))?.errorMessage).toBe(
      'no (and 3 more)',
    );
  });

  it('records whether a provisioning verified the credentials, and leaves it unknown otherwise (issue 15 item 7)', async () => {
    const verified = await finished({ outcome: 'succeeded', verified: true });
    const unverified = await finished({
      outcome: 'succeeded',
      verified: false,
    });
    const unknown = await finished({ outcome: 'failed' });
    expect((await db.stores.audit.getAudit(verified))?.verified).toBe(true);
    expect((await db.stores.audit.getAudit(unverified))?.verified).toBe(false);
    expect(await db.stores.audit.getAudit(unknown)).not.toHaveProperty(
      'verified',
    );
  });

  it('pages the audit newest first with a keyset cursor, under every filter', async () => {
    await db.knex('apim_credentials_audit').delete();
    for (let i = 0; i < 25; i++) {
      const id = await db.stores.audit.startAudit(
        start({
          environment: i % 2 ? 'sandbox' : 'production',
          actor: `user:default/u${i % 3}`,
        }),
        new Date(Date.UTC(2026, 0, 1, 0, i)),
      );
      await db.stores.audit.completeAudit(id, {
        outcome: i % 5 ? 'succeeded' : 'failed',
      });
    }
    const seen: string[] = [];
    const totals: Array<number | undefined> = [];
    let cursor: string | undefined;
    do {
      const page = await db.stores.audit.queryAudit({ limit: 10, cursor });
      seen.push(...page.items.map(r => r.startedAt));
      totals.push(page.total);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(25);
    // The filters' total comes with the first page only (the tab count, issue 15 item 5).
    expect(totals).toEqual([25, undefined, undefined]);
    expect([...seen].sort().reverse()).toEqual(seen);

    const sandbox = await db.stores.audit.queryAudit({
      limit: 100,
      environment: 'sandbox',
    });
    expect(sandbox.items).toHaveLength(12);
    expect(sandbox.items.every(r => r.environment === 'sandbox')).toBe(true);
    const failed = await db.stores.audit.queryAudit({
      limit: 100,
      outcome: 'failed',
    });
    expect(failed.items).toHaveLength(5);
    const actor = await db.stores.audit.queryAudit({
      limit: 100,
      actor: 'user:default/u1',
    });
    expect(actor.items.every(r => r.actor === 'user:default/u1')).toBe(true);
    const window = await db.stores.audit.queryAudit({
      limit: 100,
      since: '2026-01-01T00:05:00Z',
      until: '2026-01-01T00:10:00Z',
    });
    expect(window.items).toHaveLength(5);
    expect([sandbox.total, failed.total, window.total]).toEqual([12, 5, 5]);

    const streamed: string[] = [];
    for await (const r of db.stores.audit.streamAudit(
      { outcome: 'succeeded' },
      7,
    ))
      streamed.push(r.id);
    expect(streamed).toHaveLength(20);
  });

  it('pages rows that started in the same millisecond, and time windows, without gaps or repeats', async () => {
    await db.knex('apim_credentials_audit').delete();
    const sameTime = new Date(Date.UTC(2026, 5, 1, 12));
    for (let i = 0; i < 9; i++)
      await db.stores.audit.startAudit(
        start({ environment: `e${i}` }),
        sameTime,
      );
    for (let i = 0; i < 6; i++)
      await db.stores.audit.startAudit(
        start(),
        new Date(sameTime.getTime() + (i + 1) * 1000),
      );
    const walk = async (query: Record<string, unknown>) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await db.stores.audit.queryAudit({
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
    for await (const r of db.stores.audit.streamAudit({}, 4))
      streamed.push(r.id);
    expect(streamed).toEqual(all);
  });

  it('pages rows a few microseconds apart exactly once, also when exporting (issue 12 item 9)', async () => {
    await db.knex('apim_credentials_audit').delete();
    // 120 rows inside one millisecond, inserted out of time order as replicas would.
    const micros = Array.from({ length: 120 }, (_, i) => (i * 37) % 120);
    for (const [i, us] of micros.entries()) {
      await db.knex('apim_credentials_audit').insert({
        id: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
        started_at: rawTimestamp(
          db.knex,
          db.databaseId,
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
      const page = await db.stores.audit.queryAudit({ limit: 50, cursor });
      pages.push(page.items.length);
      ids.push(...page.items.map(r => r.id));
      cursor = page.nextCursor;
    } while (cursor && pages.length < 10);
    expect(pages).toEqual([50, 50, 20]);
    expect(new Set(ids).size).toBe(120);
    const streamed: string[] = [];
    for await (const r of db.stores.audit.streamAudit({}, 50))
      streamed.push(r.id);
    expect(streamed).toEqual(ids);
  });

  it('stores entity refs in canonical form and finds them in any case (issue 12 item 6)', async () => {
    await db.knex('apim_credentials_audit').delete();
    await db.knex('apim_credentials_mappings').delete();
    const ref = 'Component:Default/Orders-Reporting';
    await db.stores.audit.recordAudit(
      start({ entityRef: ref, actor: 'User:default/Guest' }),
      { outcome: 'succeeded' },
    );
    await db.stores.audit.recordAudit(
      start({ entityRef: ref.toLowerCase(), actor: 'user:default/guest' }),
      { outcome: 'failed' },
    );
    const stored = await db
      .knex('apim_credentials_audit')
      .select('entity_ref', 'actor');
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
        (await db.stores.audit.queryAudit({ limit: 10, entityRef })).items,
      ).toHaveLength(2);
      const exported: string[] = [];
      for await (const r of db.stores.audit.streamAudit({ entityRef }))
        exported.push(r.id);
      expect(exported).toHaveLength(2);
    }
    expect(
      (
        await db.stores.audit.queryAudit({
          limit: 10,
          actor: 'user:Default/GUEST',
        })
      ).items,
    ).toHaveLength(2);

    const mapping = sandboxMapping({
      entityRef: ref,
      provisionedBy: 'User:default/Guest',
    });
    await db.stores.mappings.upsertMapping(mapping);
    // The same cell in another spelling is the same row, not a second one.
    await db.stores.mappings.upsertMapping({
      ...mapping,
      entityRef: ref.toLowerCase(),
      consumerKey: 'c2',
    });
    const mappings = await db.stores.mappings.getMappingsForEntity(
      'component:DEFAULT/orders-REPORTING',
    );
    expect(mappings).toHaveLength(1);
    expect(mappings[0]).toMatchObject({
      entityRef: 'component:default/orders-reporting',
      provisionedBy: 'user:default/guest',
      consumerKey: 'c2',
    });
    expect(
      (await db.stores.mappings.queryMappings({ limit: 10, entityRef: ref }))
        .items,
    ).toHaveLength(1);
    await db.stores.mappings.markDrift(
      { ...mapping, entityRef: ref.toUpperCase() },
      'gone',
    );
    expect((await db.stores.mappings.getMappingsForEntity(ref))[0].state).toBe(
      'drifted',
    );
    await db.stores.mappings.deleteMapping(mapping);
    expect(await db.stores.mappings.getMappingsForEntity(ref)).toEqual([]);
  });

  it('rejects a forged cursor', async () => {
    await expect(
      db.stores.audit.queryAudit({ limit: 10, cursor: 'bm90LWEtbnVtYmVy' }),
    ).rejects.toThrow(/cursor/);
  });
});
