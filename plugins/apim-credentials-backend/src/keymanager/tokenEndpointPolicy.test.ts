/**
 * Issue 10 item 4: where verification may send a client's secret, and the start-up checks of
 * `allowInsecureHttp`, `keyManagers[].tokenEndpoint` and `environments[].tokenEndpoints`.
 */
import { ConfigReader } from '@backstage/config';
import { readApimCredentialsConfig } from '../config';
import {
  isLocalHost,
  policyOf,
  tokenEndpointRefusal,
} from './tokenEndpointPolicy';

function settings(
  instance: Record<string, unknown> = {},
  env: Record<string, unknown> = {},
) {
  return readApimCredentialsConfig(
    new ConfigReader({
      apimCredentials: {
        instances: [
          {
            id: 'prod',
            baseUrl: 'https://apim.example.com:9443',
            auth: { username: 'u', password: 'p' },
            ...instance,
          },
        ],
        environments: [
          { id: 'sandbox', instance: 'prod', keyType: 'SANDBOX', ...env },
        ],
      },
    }),
  );
}

const refusalIn = (s: ReturnType<typeof settings>, endpoint: string) =>
  tokenEndpointRefusal(policyOf(s.environments[0]), endpoint);

describe('token endpoint policy', () => {
  it.each([
    'localhost',
    'LOCALHOST',
    'api.localhost',
    '127.0.0.1',
    '127.9.9.9',
    '0.0.0.0',
    '169.254.169.254',
    '[::1]',
    '[::]',
    '[fe80::1]',
    '[::ffff:127.0.0.1]',
    '[::ffff:169.254.169.254]',
  ])('%s is the backend host or its link', host => {
    expect(isLocalHost(new URL(`https://${host}/`).hostname)).toBe(true);
  });

  it.each([
    'is.example.com',
    '10.0.0.5',
    'localhost.example.com',
    '[2001:db8::1]',
  ])('%s is not', host => {
    expect(isLocalHost(new URL(`https://${host}/`).hostname)).toBe(false);
  });

  it('without an allow-list: remote https passes, local and link-local endpoints are refused', () => {
    const s = settings();
    expect(refusalIn(s, 'https://is.example.com/oauth2/token')).toBeUndefined();
    for (const endpoint of [
      'https://localhost:9444/oauth2/token',
      'https://127.0.0.1:7007/api/x',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]:9444/token',
    ]) {
      expect(refusalIn(s, endpoint)).toMatch(
        /backend's own host or network link.*apimCredentials\.environments\[0\]\.tokenEndpoints/,
      );
    }
  });

  it('a local endpoint the operator configured (baseUrl, override, allow-list) passes', () => {
    const local = settings({ baseUrl: 'https://localhost:9443' });
    expect(
      refusalIn(local, 'https://localhost:9443/oauth2/token'),
    ).toBeUndefined();
    expect(refusalIn(local, 'https://localhost:9444/oauth2/token')).toMatch(
      /own host/,
    );
    const listed = settings({}, { tokenEndpoints: ['https://localhost:9444'] });
    expect(
      refusalIn(listed, 'https://localhost:9444/oauth2/token'),
    ).toBeUndefined();
  });

  it('with an allow-list only listed origins pass', () => {
    const s = settings({}, { tokenEndpoints: ['https://is.example.com'] });
    expect(refusalIn(s, 'https://is.example.com/oauth2/token')).toBeUndefined();
    expect(refusalIn(s, 'https://is.example.com:8443/oauth2/token')).toMatch(
      /not on the allow-list apimCredentials\.environments\[0\]\.tokenEndpoints/,
    );
    expect(refusalIn(s, 'https://evil.example.net/token')).toMatch(
      /allow-list/,
    );
  });

  it('http endpoints are refused unless the instance allows insecure http', () => {
    expect(refusalIn(settings(), 'http://is.example.com/token')).toMatch(
      /plain http/,
    );
    expect(
      refusalIn(
        settings({ allowInsecureHttp: true }),
        'http://is.example.com/token',
      ),
    ).toBeUndefined();
  });

  it('an environment without a policy (hand-built config) refuses local endpoints', () => {
    expect(
      tokenEndpointRefusal(policyOf({ id: 'x' }), 'https://localhost/token'),
    ).toMatch(/own host/);
  });
});

describe('start-up checks', () => {
  it('refuses an http baseUrl unless allowInsecureHttp, naming the key', () => {
    expect(() => settings({ baseUrl: 'http://apim.example.com' })).toThrow(
      /apimCredentials\.instances\[0\]\.baseUrl: .*plain http.*allowInsecureHttp/,
    );
    expect(
      settings({ baseUrl: 'http://apim.example.com', allowInsecureHttp: true })
        .instances[0].allowInsecureHttp,
    ).toBe(true);
  });

  it('refuses an http token endpoint override unless allowInsecureHttp', () => {
    expect(() =>
      settings({
        keyManagers: [
          { name: 'IS', tokenEndpoint: 'http://is.example.com/token' },
        ],
      }),
    ).toThrow(/instances\[0\]\.keyManagers\[0\]\.tokenEndpoint: .*plain http/);
  });

  it.each([
    ['not a URL', 'is.example.com', /is not a URL/],
    ['a path', 'https://is.example.com/oauth2/token', /origin only/],
    ['another scheme', 'ftp://is.example.com', /http\(s\) origin/],
    ['http without allowInsecureHttp', 'http://is.example.com', /plain http/],
  ])('refuses a tokenEndpoints entry that is %s', (_label, entry, why) => {
    expect(() => settings({}, { tokenEndpoints: [entry] })).toThrow(
      new RegExp(
        `environments\\[0\\]\\.tokenEndpoints\\[0\\]: .*${why.source}`,
      ),
    );
  });

  it('normalises allow-list entries to origins', () => {
    const s = settings({}, { tokenEndpoints: ['HTTPS://IS.Example.com:443/'] });
    expect(s.environments[0].tokenEndpointPolicy?.allowedOrigins).toEqual([
      'https://is.example.com',
    ]);
  });
});
