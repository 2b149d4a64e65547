import { ConfigReader } from '@backstage/config';
import { readApimCredentialsConfig } from './config';
import { MINIMAL_APIM_CONFIG } from './__testUtils__/configFixtures';

const valid = MINIMAL_APIM_CONFIG;
const read = (apimCredentials: unknown) =>
  readApimCredentialsConfig(new ConfigReader({ apimCredentials } as any));

describe('readApimCredentialsConfig', () => {
  it('applies the documented defaults', () => {
    const config = read(valid);
    expect(config.instances[0]).toMatchObject({
      baseUrl: 'https://apim:9443',
      timeoutMs: 15_000,
      tls: { rejectUnauthorized: true },
      auth: { clientName: 'backstage_apim_credentials' },
    });
    expect(config.environments[0]).toMatchObject({
      title: 'sandbox',
      keyType: 'SANDBOX',
    });
    expect(config.applications).toEqual({
      createIfMissing: true,
      throttlingPolicy: 'Unlimited',
    });
    expect(config.verification.required).toBe(false);
  });

  it.each([
    [
      'an unknown instance',
      {
        ...valid,
        environments: [{ id: 'x', instance: 'nope', keyType: 'SANDBOX' }],
      },
      /environments\[0\]\.instance.*"nope"/,
    ],
    [
      'a bad key type',
      {
        ...valid,
        environments: [{ id: 'x', instance: 'local', keyType: 'STAGING' }],
      },
      /environments\[0\]\.keyType/,
    ],
    [
      'a duplicate environment',
      {
        ...valid,
        environments: [valid.environments[0], valid.environments[0]],
      },
      /environments\[1\]\.id.*duplicate/,
    ],
    [
      'a bad base URL',
      {
        ...valid,
        instances: [{ ...valid.instances[0], baseUrl: 'not a url' }],
      },
      /instances\[0\]\.baseUrl/,
    ],
    [
      'a client id without secret',
      {
        ...valid,
        instances: [
          {
            ...valid.instances[0],
            auth: { username: 'a', password: 'b', clientId: 'c' },
          },
        ],
      },
      /instances\[0\]\.auth.*together/,
    ],
    [
      'a silly timeout',
      {
        ...valid,
        instances: [{ ...valid.instances[0], timeout: { seconds: 0 } }],
      },
      /instances\[0\]\.timeout: must be more than 0/,
    ],
    [
      'no password',
      {
        ...valid,
        instances: [
          { id: 'local', baseUrl: 'https://a', auth: { username: 'svc' } },
        ],
      },
      /password/,
    ],
  ])('fails at start-up on %s, naming the key', (_name, config, message) => {
    expect(() => read(config)).toThrow(message);
  });

  it('reads the drift job scale settings (issue 11), with defaults', () => {
    expect(read(valid).reconcile).toMatchObject({
      checkEveryMappingWithinMs: 24 * 3600_000,
      maxConcurrency: 4,
      maxRequestsPerSecond: 10,
      skipInstanceAfterFailures: 5,
    });
    expect(
      read({
        ...valid,
        reconcile: {
          checkEveryMappingWithin: { hours: 6 },
          maxConcurrency: 2,
          maxRequestsPerSecond: 2.5,
          skipInstanceAfterFailures: 3,
        },
      }).reconcile,
    ).toMatchObject({
      checkEveryMappingWithinMs: 6 * 3600_000,
      maxConcurrency: 2,
      maxRequestsPerSecond: 2.5,
      skipInstanceAfterFailures: 3,
    });
    expect(
      read({ ...valid, reconcile: { checkEveryMappingWithin: 'PT12H' } })
        .reconcile.checkEveryMappingWithinMs,
    ).toBe(12 * 3600_000);
  });

  it.each([
    [
      { checkEveryMappingWithin: { minutes: 1 } },
      /reconcile\.checkEveryMappingWithin: must be at least/,
    ],
    [{ checkEveryMappingWithin: 'soon' }, /reconcile\.checkEveryMappingWithin/],
    [
      { maxConcurrency: 0 },
      /reconcile\.maxConcurrency: must be a positive integer/,
    ],
    [{ maxConcurrency: 1.5 }, /reconcile\.maxConcurrency/],
    [{ maxRequestsPerSecond: -1 }, /reconcile\.maxRequestsPerSecond/],
    [{ skipInstanceAfterFailures: 0 }, /reconcile\.skipInstanceAfterFailures/],
  ])(
    'fails at start-up on reconcile %j, naming the key',
    (reconcile, message) => {
      expect(() => read({ ...valid, reconcile })).toThrow(message);
    },
  );
});
