import { ApimError } from '../apim/ApimError';
import type { ApimApplicationKey } from '../apim/types';
import { errorCodeOf } from '../errors';
import {
  MapKeysAnswer,
  conflictError,
  mapKeysOutcome,
  WantedMapping,
} from './mapKeysOutcome';

const wanted: WantedMapping = {
  consumerKey: 'client-a',
  keyManager: 'IS',
  keyType: 'SANDBOX',
};

const key = (
  consumerKey: string,
  keyType: ApimApplicationKey['keyType'] = 'SANDBOX',
  keyManager = 'IS',
): ApimApplicationKey => ({
  keyMappingId: `m-${consumerKey}-${keyType}-${keyManager}`,
  consumerKey,
  keyType,
  keyManager,
  supportedGrantTypes: ['client_credentials'],
});

const http = (status: number, code: number): MapKeysAnswer => ({
  error: new ApimError('http', 'POST map-keys', 'failed', status, code),
});
const timeout: MapKeysAnswer = {
  error: new ApimError('timeout', 'POST map-keys', 'no answer in time'),
};

describe('mapKeysOutcome (CONTRACT.md 6.5, 14.1)', () => {
  it.each<
    [string, MapKeysAnswer, ApimApplicationKey[] | undefined, string, string]
  >([
    ['answered', { key: key('client-a') }, undefined, 'created', 'client-a'],
    [
      '409, wanted listed',
      http(409, 901409),
      [key('client-a')],
      'unchanged',
      'client-a',
    ],
    [
      '409, slot holds another client',
      http(409, 901409),
      [key('client-b')],
      'slot-taken',
      'client-b',
    ],
    [
      '409, client is the other key type',
      http(409, 901409),
      [key('client-a', 'PRODUCTION')],
      'other-key-type',
      'client-a',
    ],
    [
      '409, other key type wins over slot',
      http(409, 901409),
      [key('client-b'), key('client-a', 'PRODUCTION')],
      'other-key-type',
      'client-a',
    ],
    [
      '409, listing explains nothing',
      http(409, 901409),
      [],
      'other-application',
      '-',
    ],
    [
      '409, other key manager only',
      http(409, 901409),
      [key('client-a', 'SANDBOX', 'Okta')],
      'other-application',
      '-',
    ],
    ['409, listing unreadable', http(409, 901409), undefined, 'failed', '-'],
    [
      '900967 after writing the row',
      http(500, 900967),
      [key('client-a')],
      'leftover-mapping',
      'client-a',
    ],
    [
      'timeout after writing the row',
      timeout,
      [key('client-a')],
      'leftover-mapping',
      'client-a',
    ],
    ['900967, nothing written', http(500, 900967), [], 'opaque-900967', '-'],
    [
      '900967, another client in the slot',
      http(500, 900967),
      [key('client-b')],
      'opaque-900967',
      '-',
    ],
    [
      '500/500, listing failed too',
      http(500, 500),
      undefined,
      'key-manager-unreachable-from-apim',
      '-',
    ],
    [
      '500/500, client not listed',
      http(500, 500),
      [key('client-b')],
      'key-manager-unreachable-from-apim',
      '-',
    ],
    [
      '500/500, but the client is listed',
      http(500, 500),
      [key('client-a')],
      'leftover-mapping',
      'client-a',
    ],
    [
      '500/500, client listed for another type',
      http(500, 500),
      [key('client-a', 'PRODUCTION')],
      'failed',
      '-',
    ],
    ['timeout, nothing written', timeout, [], 'failed', '-'],
    ['timeout, listing unreadable', timeout, undefined, 'failed', '-'],
    [
      '400/901403 left over from the retries',
      http(400, 901403),
      [],
      'failed',
      '-',
    ],
    ['502 from a proxy', http(502, 502), [key('client-b')], 'failed', '-'],
  ])('%s -> %s', (_name, answer, keys, kind, consumerKey) => {
    const outcome = mapKeysOutcome(answer, keys, wanted);
    expect(outcome.kind).toBe(kind);
    // '-': an outcome that names no key.
    expect('key' in outcome ? outcome.key.consumerKey : '-').toBe(consumerKey);
  });
});

describe('conflictError', () => {
  const context = {
    consumerKey: 'client-a',
    keyManager: 'IS',
    keyType: 'SANDBOX',
    environment: 'sandbox',
    applicationName: 'orders-service',
  };

  it.each([
    [
      { kind: 'other-key-type' as const, key: key('client-a', 'PRODUCTION') },
      'OTHER_KEY_TYPE',
      /PRODUCTION key of application "orders-service"/,
    ],
    [
      { kind: 'slot-taken' as const, key: key('client-b') },
      'SLOT_TAKEN',
      /already has client "client-b".*keyMappingId m-client-b/,
    ],
    [
      { kind: 'other-application' as const },
      'MAPPED_ELSEWHERE',
      /another API-M application in key manager "IS"/,
    ],
  ])('%o -> 409 %s', (conflict, code, message) => {
    const error = conflictError(conflict, context);
    expect(error.name).toBe('ConflictError');
    expect(errorCodeOf(error)).toBe(code);
    expect(error.message).toMatch(message);
  });
});
