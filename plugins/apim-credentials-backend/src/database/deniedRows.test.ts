/**
 * Repeated denials are coalesced (issue 10 item 5), on every engine the tests have: the same
 * actor, entity, action, cell and error within the hour update one `denied` row (its `attempts`
 * and last time) instead of adding rows, so an entity's history cannot be buried; a different
 * denial, or the same one after the hour, is a row of its own.
 */
import { describeStoresOnEachEngine } from '../__testUtils__/storesOnEachEngine';
import { DENIED_COALESCE_WINDOW_SECONDS } from './deniedRows';

jest.setTimeout(60_000);

describeStoresOnEachEngine('denied rows on %p', db => {
  const ENTITY = 'component:default/orders-service';

  const start = (over: Record<string, unknown> = {}) => ({
    actor: 'user:default/mallory',
    source: 'api' as const,
    action: 'provision' as const,
    entityRef: ENTITY,
    environment: 'sandbox',
    keyType: 'SANDBOX' as const,
    keyManager: 'IS',
    ...over,
  });
  const denial = (message = 'not bound') => ({
    outcome: 'denied' as const,
    errorCode: 'APPLICATION_BOUND_ELSEWHERE',
    errorMessage: message,
  });
  const rows = () =>
    db.stores.audit.queryAudit({ entityRef: ENTITY, limit: 100 });

  it('the same denial fifty times is one row counting fifty attempts, and the history before it stays on the first page', async () => {
    const history = await db.stores.audit.recordAudit(
      start({ actor: 'user:default/owner', source: 'ui' }),
      { outcome: 'succeeded' },
    );
    const ids = new Set<string | undefined>();
    for (let i = 0; i < 50; i++) {
      // Entity refs and actors in another case are the same (canonical) ones.
      const over =
        i % 2 ? { entityRef: 'Component:default/Orders-Service' } : {};
      ids.add(
        await db.stores.audit.recordAudit(start(over), denial(`try ${i}`)),
      );
    }
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    const page = await rows();
    expect(page.items.map(r => r.id).sort()).toEqual([history, id].sort());
    const row = await db.stores.audit.getAudit(id!);
    expect(row).toMatchObject({
      outcome: 'denied',
      attempts: 50,
      errorCode: 'APPLICATION_BOUND_ELSEWHERE',
      errorMessage: 'try 49',
    });
    expect(Date.parse(row!.finishedAt!)).toBeGreaterThanOrEqual(
      Date.parse(row!.startedAt),
    );
    // Other rows do not carry the field.
    expect(await db.stores.audit.getAudit(history!)).not.toHaveProperty(
      'attempts',
    );
  });

  it('a different cell, client, API, error, action, actor or dry-run flag is a row of its own', async () => {
    const variants = [
      start({ keyManager: 'Resident Key Manager' }),
      start({ environment: 'production', keyType: 'PRODUCTION' }),
      start({ action: 'unprovision' }),
      start({ actor: 'user:default/eve' }),
      start({ dryRun: true }),
      start({ consumerKey: 'another-client' }),
      start({ action: 'subscribe', apiRef: 'api:default/orders-api' }),
      start({ action: 'subscribe', apiRef: 'api:default/payments-api' }),
    ];
    const ids = new Set<string | undefined>();
    for (const v of variants)
      ids.add(await db.stores.audit.recordAudit(v, denial()));
    ids.add(
      await db.stores.audit.recordAudit(start(), {
        ...denial(),
        errorCode: 'PERMISSION_DENIED',
      }),
    );
    expect(ids.size).toBe(9);
    for (const id of ids) {
      expect(await db.stores.audit.getAudit(id!)).not.toHaveProperty(
        'attempts',
      );
    }
  });

  it('after the window, the same denial starts a new row', async () => {
    const first = await db.stores.audit.recordAudit(
      start({ actor: 'user:default/late' }),
      denial(),
    );
    // Move the row back beyond the window, as if written more than an hour ago.
    const old = new Date(
      Date.now() - (DENIED_COALESCE_WINDOW_SECONDS + 60) * 1000,
    );
    const isMysql = String(db.knex.client.dialect).startsWith('mysql');
    await db
      .knex('apim_credentials_audit')
      .where({ id: first })
      .update({
        started_at: isMysql
          ? old.toISOString().replace('T', ' ').replace('Z', '')
          : old,
      });
    const second = await db.stores.audit.recordAudit(
      start({ actor: 'user:default/late' }),
      denial(),
    );
    expect(second).not.toBe(first);
  });
});
