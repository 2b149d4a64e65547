import { ApimError } from '../apim/ApimError';
import { UpstreamError, VerificationFailedError } from '../errors';
import {
  classifyMapKeysFailure,
  keyManagerBehindApimError,
  mapKeysWhenLoaded,
  notLoadedBackoffMs,
} from './mapKeysFailures';

const http = (status: number, code: number) =>
  new ApimError('http', 'POST map-keys', 'failed', status, code);
const env = {
  id: 'sandbox',
  title: 'Sandbox',
  instance: 'local',
  keyType: 'SANDBOX' as const,
};

describe('classifyMapKeysFailure (CONTRACT.md 6.5, 14.1)', () => {
  it.each([
    [http(400, 901403), 'key-manager-refused'],
    [http(409, 901409), 'conflict'],
    [http(500, 900967), 'general-error'],
    [http(500, 500), 'key-manager-unreachable-from-apim'],
    [http(502, 502), 'other'],
    [new ApimError('timeout', 'POST map-keys', 'slow'), 'other'],
    [new Error('x'), 'other'],
  ])('%s -> %s', (error, kind) => {
    expect(classifyMapKeysFailure(error)).toBe(kind);
  });
});

describe('mapKeysWhenLoaded', () => {
  const directory = (enabled: boolean | undefined) =>
    ({
      refreshKeyManagers: async () =>
        enabled === undefined
          ? []
          : [{ id: '1', name: 'IS', type: 'WSO2-IS', enabled }],
    } as any);
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
  };
  beforeEach(() => sleeps.splice(0));
  /** mapKeysWhenLoaded for key manager IS, listed as `enabled`, within `budgetMs`, sleeping in `sleeps`. */
  const mapWhenLoaded = (
    enabled: boolean | undefined,
    budgetMs: number,
    mapKeys: () => Promise<string>,
  ) =>
    mapKeysWhenLoaded(
      {
        directory: directory(enabled),
        client: {} as any,
        env,
        keyManager: 'IS',
        budgetMs,
        sleep,
      },
      mapKeys,
    );

  it('retries 901403 for a key manager listed as enabled until it is loaded', async () => {
    let calls = 0;
    const result = await mapWhenLoaded(true, 10_000, async () => {
      calls += 1;
      if (calls < 3) throw http(400, 901403);
      return 'mapped';
    });
    expect(result).toBe('mapped');
    expect(sleeps).toEqual([250, 500]);
  });

  it('gives up after the budget with a 503 saying API-M has not loaded the key manager', async () => {
    const error = await mapWhenLoaded(true, 0, async () => {
      throw http(400, 901403);
    }).catch(e => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({
      statusCode: 503,
      code: 'KEY_MANAGER_NOT_LOADED',
    });
    expect(error.message).toMatch(/has not loaded key manager "IS"/);
    expect(error.message).not.toMatch(/pick another/i);
  });

  it('does not retry a disabled or unknown key manager', async () => {
    for (const state of [false, undefined]) {
      let calls = 0;
      const error = await mapWhenLoaded(state, 10_000, async () => {
        calls += 1;
        throw http(400, 901403);
      }).catch(e => e);
      expect(calls).toBe(1);
      expect(error.code).toBe('KEY_MANAGER_NOT_REGISTERED');
    }
  });

  it('backs off up to 2 s', () => {
    expect([0, 1, 2, 3, 4, 9].map(notLoadedBackoffMs)).toEqual([
      250, 500, 1000, 2000, 2000, 2000,
    ]);
  });
});

describe('keyManagerBehindApimError', () => {
  const refuse = (c: { message: string }) =>
    new VerificationFailedError(c.message);
  it("is the key manager's refusal when the backend's own check refuses the credentials", async () => {
    const error = await keyManagerBehindApimError(
      env,
      'IS',
      async () => ({ ok: false, message: 'invalid_client' } as any),
      refuse,
      undefined,
    );
    expect(error).toBeInstanceOf(VerificationFailedError);
  });

  it('names the key manager behind API-M, and what the backend saw', async () => {
    const ok = await keyManagerBehindApimError(
      env,
      'IS',
      async () => ({ ok: true } as any),
      refuse,
      undefined,
    );
    expect(ok).toMatchObject({
      code: 'KEY_MANAGER_FAILED_BEHIND_APIM',
      statusCode: 502,
    });
    expect(ok.message).toMatch(
      /could not reach key manager "IS" behind it.*the backend reached it and it accepts the credentials/,
    );
    const down = await keyManagerBehindApimError(
      env,
      'IS',
      async () => {
        throw new Error('refused');
      },
      refuse,
      undefined,
    );
    expect(down.message).toMatch(/could not get an answer from it either/);
  });
});
