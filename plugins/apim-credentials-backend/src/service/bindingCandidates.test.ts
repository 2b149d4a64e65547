/**
 * The candidate scan (issue 10 item 1): bound names cost no API-M lookup, each unbound name is
 * looked up once per instance, and the scan stops reading the catalog once `limit` candidates
 * are found, saying the answer is truncated.
 */
import type { ApimClient } from '../apim/ApimClient';
import { createTestDatabases } from '../__testUtils__/databases';
import { ApimCredentialsDatabase } from '../database/ApimCredentialsDatabase';
import { ApplicationBindingStore } from '../database/ApplicationBindingStore';
import { NamedApplication, scanCandidates } from './bindingCandidates';

const databases = createTestDatabases();

describe('scanCandidates', () => {
  let bindings: ApplicationBindingStore;
  const client = {} as ApimClient;

  beforeAll(async () => {
    const knex = await databases.init('SQLITE_3');
    bindings = await ApplicationBindingStore.create({
      database: await ApimCredentialsDatabase.create({
        database: { getClient: async () => knex },
      }),
    });
    await bindings.bind({
      instance: 'local',
      applicationId: 'id-bound',
      applicationName: 'Bound-App',
      entityRef: 'component:default/owner',
      origin: 'bound',
      boundBy: 'user:default/pat',
    });
  });

  /** Pages of annotated entities; records how many pages were read. */
  function catalog(pages: NamedApplication[][]) {
    const read = { pages: 0 };
    async function* iterate() {
      for (const page of pages) {
        read.pages += 1;
        yield page;
      }
    }
    return { iterate, read };
  }

  const named = (entity: string, app: string) => ({
    entityRef: `component:default/${entity}`,
    applicationName: app,
  });

  it('skips bound names, looks each unbound name up once, and gathers the entities naming it', async () => {
    const lookups: string[] = [];
    const { iterate } = catalog([
      [named('a', 'orders'), named('b', 'bound-app'), named('c', 'ghost')],
      [named('d', 'Orders'), named('e', 'orders')],
    ]);
    const scan = await scanCandidates(
      {
        bindings,
        instances: [['local', client]],
        findApplication: async (_c: unknown, name: string) => {
          lookups.push(name);
          return name === 'orders'
            ? { applicationId: 'id-orders', name: 'orders' }
            : undefined;
        },
      } as any,
      iterate(),
      10,
    );
    expect(scan).toEqual({
      items: [
        {
          instance: 'local',
          applicationId: 'id-orders',
          applicationName: 'orders',
          entityRefs: [
            'component:default/a',
            'component:default/d',
            'component:default/e',
          ],
        },
      ],
      truncated: false,
    });
    // "bound-app" is bound (as Bound-App): never looked up; "orders" once, "ghost" once.
    expect(lookups.sort()).toEqual(['ghost', 'orders']);
  });

  it('stops reading the catalog at the limit and says the answer is truncated', async () => {
    const pages = Array.from({ length: 5 }, (_, p) =>
      Array.from({ length: 3 }, (__, i) =>
        named(`e${p}-${i}`, `app-${p}-${i}`),
      ),
    );
    const { iterate, read } = catalog(pages);
    let lookups = 0;
    const scan = await scanCandidates(
      {
        bindings,
        instances: [['local', client]],
        findApplication: async (_c: unknown, name: string) => {
          lookups += 1;
          return { applicationId: `id-${name}`, name };
        },
      } as any,
      iterate(),
      4,
    );
    expect(scan.truncated).toBe(true);
    expect(scan.items).toHaveLength(4);
    expect(read.pages).toBe(2);
    expect(lookups).toBe(4);
  });
});
