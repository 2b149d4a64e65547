import { ConfigReader } from '@backstage/config';
import type { JsonValue } from '@backstage/types';
import { readApimCredentialsConfig } from '../config';
import { tokenRequestSettings } from './tokenRequestConfig';

const read = (keyManagers?: JsonValue) =>
  readApimCredentialsConfig(
    new ConfigReader({
      apimCredentials: {
        instances: [
          {
            id: 'azure',
            baseUrl: 'https://apim.example.com',
            auth: { username: 'u', password: 'p' },
            keyManagers,
          },
        ],
        environments: [{ id: 'dev', instance: 'azure', keyType: 'SANDBOX' }],
      },
    }),
  );

describe('instances[].keyManagers', () => {
  it('reads scope, audience and extra parameters per key manager', () => {
    const config = read([
      {
        name: 'AzureAD',
        verification: {
          scope: 'api://orders/.default',
          audience: 'orders',
          extraParams: { resource: 'https://orders.example.com' },
        },
      },
      { name: 'IS' },
    ]);
    expect(tokenRequestSettings(config.instances, 'azure', 'AzureAD')).toEqual({
      params: {
        scope: 'api://orders/.default',
        audience: 'orders',
        extraParams: { resource: 'https://orders.example.com' },
      },
      configKey: 'apimCredentials.instances[0].keyManagers[0]',
      configured: true,
    });
    expect(
      tokenRequestSettings(config.instances, 'azure', 'IS').params,
    ).toEqual({});
    expect(tokenRequestSettings(config.instances, 'azure', 'Okta')).toEqual({
      params: {},
      configKey: 'apimCredentials.instances[0].keyManagers',
      configured: false,
    });
  });

  it('is optional', () => {
    expect(read(undefined).instances[0].keyManagers).toEqual([]);
  });

  it.each([
    [
      [{ name: 'A' }, { name: 'A' }],
      /keyManagers\[1\]\.name: duplicate key manager "A"/,
    ],
    [[{ name: ' ' }], /keyManagers\[0\]\.name: must not be empty/],
    [
      [{ name: 'A', verification: { scope: ' ' } }],
      /keyManagers\[0\]\.verification\.scope: must not be empty/,
    ],
    [
      [{ name: 'A', verification: { extraParams: { client_secret: 'x' } } }],
      /extraParams\.client_secret: "client_secret" is set by the backend itself/,
    ],
    [
      [{ name: 'A', verification: { extraParams: { scope: 'x' } } }],
      /extraParams\.scope: .*use verification\.scope/,
    ],
  ])('fails at start-up naming the key for %j', (keyManagers, message) => {
    expect(() => read(keyManagers)).toThrow(message);
  });
});
