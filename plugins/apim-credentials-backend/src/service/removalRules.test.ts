import { checkRemoval, planRemoval } from './removalRules';

const slot = { keyManager: 'IS', environment: 'sandbox', consumerKey: 'mine' };
const env = { keyType: 'SANDBOX' };
const key = (over: object) => ({
  keyMappingId: 'km-1',
  keyManager: 'IS',
  consumerKey: 'mine',
  supportedGrantTypes: [],
  keyType: 'SANDBOX' as const,
  mode: 'MAPPED',
  ...over,
});

describe('checkRemoval (issue 10 item 2)', () => {
  it('lets the named, mapped client go, and an empty slot', () => {
    expect(() => checkRemoval(key({}), slot, env)).not.toThrow();
    expect(() => checkRemoval(undefined, slot, env)).not.toThrow();
  });

  it('refuses a key generated in API-M, whatever client is named', () => {
    for (const consumerKey of ['mine', 'other']) {
      expect(() =>
        checkRemoval(key({ mode: 'CREATED', consumerKey }), slot, env),
      ).toThrow(
        expect.objectContaining({
          name: 'ConflictError',
          code: 'KEY_GENERATED_IN_APIM',
          message: expect.stringMatching(
            /generated in API-M; remove it in the Developer Portal/,
          ),
        }),
      );
    }
  });

  it('refuses when another client sits in the slot, naming it', () => {
    expect(() =>
      checkRemoval(key({ consumerKey: 'theirs' }), slot, env),
    ).toThrow(
      expect.objectContaining({
        name: 'ConflictError',
        code: 'CONSUMER_KEY_MISMATCH',
        message: expect.stringContaining('"theirs"'),
      }),
    );
  });
});

describe('planRemoval: "Remove stale record" of a drifted row (issue 10 item 2)', () => {
  const drifted = {
    state: 'drifted' as const,
    consumerKey: 'mine',
    keyMappingId: 'km-1',
    driftReason: 'API-M no longer holds this mapping (two consecutive checks)',
  };
  /** planRemoval of the drifted record, with `inApim` in the slot in API-M. */
  const planFor = (inApim: ReturnType<typeof key> | undefined) =>
    planRemoval(inApim, drifted, slot, env);

  it('another client mapped in the slot since the drift: only our record goes, theirs stays', () => {
    const plan = planFor(key({ consumerKey: 'theirs', keyMappingId: 'km-2' }));
    expect(plan.apimKey).toBeUndefined();
    expect(plan.reported).toEqual({
      consumerKey: 'mine',
      keyMappingId: 'km-1',
    });
    expect(plan.staleNote).toMatch(
      /only Backstage's stale record of client "mine" \(mapping km-1; drift: API-M no longer holds/,
    );
    expect(plan.staleNote).toMatch(
      /holds client "theirs" in this slot, which stays/,
    );
  });

  it("the same client mapped again under another mapping id: API-M's mapping stays", () => {
    const plan = planFor(key({ keyMappingId: 'km-9' }));
    expect(plan.apimKey).toBeUndefined();
    expect(plan.staleNote).toMatch(/another mapping \(km-9\), which stays/);
  });

  it('a key generated in API-M in the slot: our record goes, nothing is refused or removed', () => {
    const plan = planFor(key({ mode: 'CREATED', consumerKey: 'gen' }));
    expect(plan.apimKey).toBeUndefined();
    expect(plan.reported?.consumerKey).toBe('mine');
  });

  it('an empty slot: only the record goes', () => {
    const plan = planFor(undefined);
    expect(plan.apimKey).toBeUndefined();
    expect(plan.staleNote).toMatch(/holds no mapping in this slot/);
  });

  it('API-M still holds exactly the recorded mapping: it is removed there too', () => {
    const held = key({});
    expect(planFor(held)).toEqual({
      apimKey: held,
      reported: held,
    });
  });

  it('an active record, or a drifted record of another client: the usual rules', () => {
    const theirs = key({ consumerKey: 'theirs' });
    for (const record of [
      { ...drifted, state: 'active' as const },
      { ...drifted, consumerKey: 'someone-else' },
      undefined,
    ]) {
      expect(() => planRemoval(theirs, record, slot, env)).toThrow(
        expect.objectContaining({ code: 'CONSUMER_KEY_MISMATCH' }),
      );
    }
  });
});
