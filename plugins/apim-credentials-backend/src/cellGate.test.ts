/**
 * The cell gate's concurrency (issue 9, "Performance"): the attempt counter and the permission
 * decision are asked together and judged in the gate's order, with the bindings' database read
 * ahead; the binding check (maybe an API-M lookup) starts only once the caller is allowed
 * (cellGate.ts). The permission matrix and the audit rows of each refusal are in
 * router.test.ts and actions/cellGate.actions.test.ts.
 */
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createCellGate, CellGateDeps, CellGateRequest } from './cellGate';
import { RateLimitedError } from './errors';
import { ApplicationBoundElsewhereError } from './service/bindingErrors';

const ENV = { id: 'dev', instance: 'local', keyType: 'SANDBOX' } as const;
/** Bindings rows read ahead for a cached application (ApplicationBindings.readAhead). */
const AHEAD = { applicationId: 'app-1', found: {} };

/** A promise with its resolve function, to hold a check in flight. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>(r => {
    resolve = r;
  });
  return { promise, resolve };
}

function setup() {
  const counted = deferred<void>();
  const allowed = deferred<boolean>();
  const bound = deferred<{ app?: undefined }>();
  const event = { success: jest.fn(), fail: jest.fn(async () => undefined) };
  const deps = {
    access: {
      entityOf: jest.fn(async () => ({
        entityRef: 'component:default/orders',
        applicationName: 'orders-app',
        entity: {},
      })),
      isAllowed: jest.fn(() => allowed.promise),
    },
    service: {
      environment: jest.fn(() => ENV),
      assertKeyManagerName: jest.fn(async () => ({})),
    },
    trail: {
      deny: jest.fn(async () => 'row'),
      record: jest.fn(async () => 'row'),
    },
    bindings: {
      check: jest.fn(() => bound.promise),
      auditDenial: jest.fn(async () => undefined),
      readAhead: jest.fn(async () => AHEAD as object | undefined),
    },
    limits: { countAttempt: jest.fn(() => counted.promise) },
    auditor: mockServices.auditor.mock({
      createEvent: jest.fn(async () => event) as any,
    }),
  };
  const gate = createCellGate(deps as unknown as CellGateDeps);
  const request: CellGateRequest = {
    action: 'provision',
    credentials: mockCredentials.user('user:default/olivia'),
    caller: { userEntityRef: 'user:default/olivia', source: 'ui' } as any,
    entity: { kind: 'component', namespace: 'default', name: 'orders' },
    environment: 'dev',
    keyManager: 'IS',
    consumerKey: 'ck-1',
    carriesSecret: true,
  };
  return { gate, request, deps, counted, allowed, bound, event };
}

/** Lets every pending promise callback run. */
const flush = () => new Promise(r => setImmediate(r));

describe('cell gate', () => {
  it('asks the counter and the permission together, the binding check once allowed', async () => {
    const { gate, request, deps, counted, allowed, bound } = setup();
    const open = gate(request);
    await flush();
    // Both are in flight before either answered: one wait, not two.
    expect(deps.limits.countAttempt).toHaveBeenCalledTimes(1);
    expect(deps.access.isAllowed).toHaveBeenCalledTimes(1);
    // The binding check may ask API-M for the application: never for a caller not yet
    // allowed. Its database read (which never asks API-M) is already in flight beside them.
    expect(deps.bindings.check).not.toHaveBeenCalled();
    expect(deps.bindings.readAhead).toHaveBeenCalledWith(ENV, 'orders-app');
    allowed.resolve(true);
    counted.resolve();
    await flush();
    expect(deps.bindings.check).toHaveBeenCalledWith(
      ENV,
      'component:default/orders',
      'orders-app',
      AHEAD,
    );
    bound.resolve({});
    await expect(open).resolves.toMatchObject({
      entityRef: 'component:default/orders',
    });
    expect(deps.trail.deny).not.toHaveBeenCalled();
  });

  it('ignores a failed read ahead: the check reads the bindings itself', async () => {
    const { gate, request, deps, counted, allowed, bound } = setup();
    deps.bindings.readAhead.mockImplementation(() =>
      Promise.reject(new Error('connection reset')),
    );
    counted.resolve();
    allowed.resolve(true);
    bound.resolve({});
    await expect(gate(request)).resolves.toBeDefined();
    expect(deps.bindings.check).toHaveBeenCalledWith(
      ENV,
      'component:default/orders',
      'orders-app',
      undefined,
    );
  });

  it('judges the rate limit first: a refused caller over the limit gets the 429 row only', async () => {
    const { gate, request, deps, allowed, bound } = setup();
    deps.limits.countAttempt.mockImplementation(() =>
      Promise.reject(new RateLimitedError('too many', 30)),
    );
    allowed.resolve(false);
    bound.resolve({});
    await expect(gate(request)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    expect(deps.trail.deny).toHaveBeenCalledTimes(1);
    expect(deps.trail.deny.mock.calls[0]).toEqual([
      expect.anything(),
      expect.objectContaining({ code: 'RATE_LIMITED' }),
    ]);
  });

  it('refuses a caller without the permission without a binding check', async () => {
    const { gate, request, deps, counted, allowed } = setup();
    counted.resolve();
    allowed.resolve(false);
    await expect(gate(request)).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
    expect(deps.trail.deny).toHaveBeenCalledTimes(1);
    expect(deps.bindings.check).not.toHaveBeenCalled();
    expect(deps.bindings.auditDenial).not.toHaveBeenCalled();
  });

  it('audits a binding denial of an allowed caller', async () => {
    const { gate, request, deps, counted, allowed, event } = setup();
    const denial = new ApplicationBoundElsewhereError(
      'orders-app',
      'component:default/other',
      'local',
    );
    deps.bindings.check.mockImplementation(() => Promise.reject(denial));
    counted.resolve();
    const open = gate(request);
    await flush();
    allowed.resolve(true);
    await expect(open).rejects.toBe(denial);
    expect(deps.bindings.auditDenial).toHaveBeenCalledWith(
      expect.objectContaining({ entityRef: 'component:default/orders' }),
      denial,
    );
    expect(event.fail).toHaveBeenCalledWith({ error: denial });
  });

  it('does not start the binding check when API-M could not list its key managers', async () => {
    const { gate, request, deps, counted, allowed } = setup();
    deps.service.assertKeyManagerName.mockImplementation(async () => ({
      error: new Error('socket hang up'),
    }));
    counted.resolve();
    allowed.resolve(true);
    await expect(gate(request)).rejects.toBeInstanceOf(Error);
    expect(deps.bindings.check).not.toHaveBeenCalled();
    expect(deps.trail.record).toHaveBeenCalledTimes(1);
  });
});
