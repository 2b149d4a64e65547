import { checkRemoval } from './removalRules';

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
