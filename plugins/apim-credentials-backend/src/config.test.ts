import { ConfigReader } from '@backstage/config';
import { readApimCredentialsConfig } from './config';

const valid = {
  instances: [
    {
      id: 'local',
      baseUrl: 'https://apim:9443/',
      auth: { username: 'svc', password: 'pw' },
    },
  ],
  environments: [{ id: 'sandbox', instance: 'local', keyType: 'SANDBOX' }],
};
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
      /timeout\.seconds/,
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
});
