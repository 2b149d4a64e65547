import { ApimError } from '../apim/ApimError';
import type { ApimApplicationKey } from '../apim/types';
import { driftVerdict } from './driftConfirmation';

const key = (consumerKey: string): ApimApplicationKey => ({
  keyMappingId: 'km-1',
  keyManager: 'IS',
  consumerKey,
  supportedGrantTypes: [],
  keyType: 'SANDBOX',
});
const http = (status: number, code: number) =>
  new ApimError('http', 'GET x', 'failed', status, code);

describe('driftVerdict: one listing is no proof of removal (CONTRACT.md 7.1, 7.2, 14.1)', () => {
  it('trusts a listing that shows the cell', () => {
    expect(driftVerdict('a', key('a'), undefined, false)).toEqual({
      reason: null,
      suspect: false,
    });
    expect(driftVerdict('a', key('b'), undefined, false).reason).toMatch(
      /now maps client "b"/,
    );
  });

  it('is not drift when the single read finds the row the listing skipped', () => {
    expect(
      driftVerdict('a', undefined, { kind: 'found', key: key('a') }, true),
    ).toEqual({ reason: null, suspect: false });
  });

  it('is not drift when the single read fails asking the key manager (900967: the row exists)', () => {
    expect(
      driftVerdict(
        'a',
        undefined,
        { kind: 'error', error: http(500, 900967) },
        true,
      ),
    ).toEqual({ reason: undefined, suspect: false });
  });

  it('flags a generic 500 (unknown mapping) only on the second consecutive observation, saying so', () => {
    const single = { kind: 'error' as const, error: http(500, 500) };
    expect(driftVerdict('a', undefined, single, false)).toEqual({
      reason: undefined,
      suspect: true,
    });
    const second = driftVerdict('a', undefined, single, true);
    expect(second.suspect).toBe(false);
    expect(second.reason).toMatch(
      /missing from API-M's key listing on two consecutive checks.*HTTP 500/,
    );
  });

  it('flags at once when API-M says the application is gone', () => {
    expect(
      driftVerdict('a', undefined, { kind: 'no-application' }, false).reason,
    ).toMatch(/application is gone/);
  });

  it('leaves the row alone on a timeout', () => {
    expect(
      driftVerdict(
        'a',
        undefined,
        { kind: 'error', error: new ApimError('timeout', 'GET x', 'slow') },
        true,
      ),
    ).toEqual({ reason: undefined, suspect: false });
  });
});
