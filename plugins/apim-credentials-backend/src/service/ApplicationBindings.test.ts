/**
 * The binding rules of an application found in API-M (issue 10 item 1), without API-M: the
 * store is a double whose reads can be made to interleave with another replica's writes.
 */
import type { ApplicationBinding } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { ApplicationBindings } from './ApplicationBindings';
import {
  ApplicationBoundElsewhereError,
  ApplicationNotBoundError,
} from './bindingErrors';

const ENTITY = 'component:default/svc-7';
const APP = { applicationId: 'app-1', name: 'svc-7' } as any;
const binding = (over: Partial<ApplicationBinding>): ApplicationBinding => ({
  instance: 'local',
  applicationId: 'app-1',
  applicationName: 'svc-7',
  entityRef: ENTITY,
  origin: 'created',
  boundBy: 'user:default/olivia',
  boundAt: '2026-11-30T10:00:00.000Z',
  ...over,
});

function bindingsWith(store: {
  byId?: ApplicationBinding;
  byName?: ApplicationBinding;
}) {
  const bind = jest.fn(async (insert: any) => binding(insert));
  return {
    bind,
    bindings: new ApplicationBindings({
      bindings: {
        // One statement reads both, as the real store does: one snapshot.
        getByIdAndName: jest.fn(async () => store),
        bind,
      } as any,
      audit: { recordAudit: jest.fn() } as any,
      instances: {} as any,
      directory: {} as any,
    }),
  };
}

describe('ApplicationBindings.assertBound', () => {
  it('a creating replica that replaced its reservation with the real id: bound, not a 403', async () => {
    // The reservation and the real id are read in one snapshot: the committed row is both.
    const { bindings, bind } = bindingsWith({
      byId: binding({}),
      byName: binding({}),
    });
    await expect(
      bindings.assertBound('local', APP, ENTITY),
    ).resolves.toMatchObject({
      applicationId: 'app-1',
      entityRef: ENTITY,
    });
    expect(bind).not.toHaveBeenCalled();
  });

  it("this entity's reservation: the application it created is bound to it", async () => {
    const { bindings, bind } = bindingsWith({
      byName: binding({ applicationId: 'pending:123' }),
    });
    await bindings.assertBound('local', APP, ENTITY);
    expect(bind).toHaveBeenCalledWith(
      expect.objectContaining({ applicationId: 'app-1', entityRef: ENTITY }),
    );
  });

  it.each([
    ['no binding at all', {}, ApplicationNotBoundError],
    [
      "the name bound to this entity under another application's id",
      { byName: binding({ applicationId: 'app-0' }) },
      ApplicationNotBoundError,
    ],
    [
      'the id bound to another entity',
      { byId: binding({ entityRef: 'component:default/other' }) },
      ApplicationBoundElsewhereError,
    ],
  ])('%s is refused', async (_n, store, kind) => {
    const { bindings } = bindingsWith(store);
    await expect(
      bindings.assertBound('local', APP, ENTITY),
    ).rejects.toBeInstanceOf(kind);
  });
});

describe('ApplicationBindings.readAhead and check', () => {
  /** The real rules over a store double, with a directory holding `cached` under its name. */
  function withDirectory(cached: typeof APP | undefined, rows: object) {
    const getByIdAndName = jest.fn(async () => rows);
    const findApplication = jest.fn(async () => APP);
    const bindings = new ApplicationBindings({
      bindings: { getByIdAndName } as any,
      audit: { recordAudit: jest.fn() } as any,
      instances: { has: () => true, client: () => ({}) } as any,
      directory: {
        cachedApplication: () => (cached ? Promise.resolve(cached) : undefined),
        findApplication,
      } as any,
    });
    return { bindings, getByIdAndName, findApplication };
  }

  it('reads the rows of a cached application once: the check judges them without reading again', async () => {
    const { bindings, getByIdAndName } = withDirectory(APP, {
      byId: binding({}),
      byName: binding({}),
    });
    const ahead = await bindings.readAhead({ instance: 'local' }, 'svc-7');
    expect(ahead).toEqual({
      applicationId: 'app-1',
      found: { byId: binding({}), byName: binding({}) },
    });
    await expect(
      bindings.check({ instance: 'local' }, ENTITY, 'svc-7', ahead),
    ).resolves.toEqual({ app: APP });
    expect(getByIdAndName).toHaveBeenCalledTimes(1);
  });

  it('reads nothing ahead for an application the cache does not hold (it never asks API-M)', async () => {
    const { bindings, getByIdAndName, findApplication } = withDirectory(
      undefined,
      {},
    );
    await expect(
      bindings.readAhead({ instance: 'local' }, 'svc-7'),
    ).resolves.toBeUndefined();
    expect(getByIdAndName).not.toHaveBeenCalled();
    expect(findApplication).not.toHaveBeenCalled();
  });

  it('reads again when API-M now holds another application under the name than the rows were read for', async () => {
    const { bindings, getByIdAndName } = withDirectory(APP, {
      byId: binding({ entityRef: 'component:default/other' }),
    });
    const stale = {
      applicationId: 'app-0',
      found: { byId: binding({ applicationId: 'app-0' }) },
    };
    await expect(
      bindings.check({ instance: 'local' }, ENTITY, 'svc-7', stale),
    ).rejects.toBeInstanceOf(ApplicationBoundElsewhereError);
    expect(getByIdAndName).toHaveBeenCalledWith('local', 'app-1', 'svc-7');
  });
});
