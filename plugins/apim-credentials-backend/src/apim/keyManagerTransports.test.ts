/**
 * Per-key-manager TLS (issue 10 item 4): a key manager whose token endpoint has a certificate of
 * its own private CA is trusted through `keyManagers[].tls.ca`, for that key manager only; the
 * instance's transport and other key managers keep refusing it.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ConfigReader } from '@backstage/config';
import { pki } from '../__testUtils__/pki';
import type { InstanceConfig } from '../config';
import { readKeyManagerSettings } from '../keymanager/tokenRequestConfig';
import { ApimClient } from './ApimClient';
import { ApimError } from './ApimError';

describe('per-key-manager TLS', () => {
  let server: https.Server;
  let url: string;
  let idpCa: string;

  beforeAll(async () => {
    const idp = await pki('The identity provider CA');
    idpCa = idp.ca;
    server = https.createServer({ key: idp.key, cert: idp.cert }, (_q, res) =>
      res.end('{"access_token":"t"}'),
    );
    await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
    url = `https://localhost:${(server.address() as AddressInfo).port}/token`;
  });
  afterAll(() => new Promise(r => server.close(r)));

  const instance = (keyManagers: InstanceConfig['keyManagers']) =>
    ({
      id: 'prod',
      baseUrl: 'https://apim.example.com',
      auth: { username: 'u', password: 'p', clientName: 'c' },
      tls: { rejectUnauthorized: true },
      allowInsecureHttp: false,
      timeoutMs: 5000,
      keyManagers,
    } as InstanceConfig);

  const call = (client: ApimClient, km: string) =>
    client
      .tokenTransport(km)
      .send({ method: 'POST', url, operation: `POST ${km} token endpoint` });

  it('trusts the key manager CA for that key manager only, in addition to the system roots', async () => {
    const client = ApimClient.create(
      instance([
        { name: 'Okta', configKey: 'k', verification: {}, tls: { ca: idpCa } },
        { name: 'IS', configKey: 'k', verification: {} },
      ]),
    );
    try {
      expect((await call(client, 'Okta')).status).toBe(200);
      await expect(call(client, 'IS')).rejects.toMatchObject({
        kind: 'unreachable',
      });
      await expect(
        client.http.send({ method: 'POST', url, operation: 'POST x' }),
      ).rejects.toBeInstanceOf(ApimError);
      // One pool per key manager with settings, reused.
      expect(client.tokenTransport('Okta')).toBe(client.tokenTransport('Okta'));
      expect(client.tokenTransport('IS')).toBe(client.http);
    } finally {
      await client.close();
    }
  });

  it('without per-key-manager settings the private CA is refused', async () => {
    const client = ApimClient.create(instance([]));
    try {
      await expect(call(client, 'Okta')).rejects.toMatchObject({
        kind: 'unreachable',
      });
    } finally {
      await client.close();
    }
  });

  it('reads keyManagers[].tls and refuses a CA that is not PEM, naming the key', () => {
    const fail = (key: string, why: string): never => {
      throw new Error(`${key}: ${why}`);
    };
    const read = (tls: object) =>
      readKeyManagerSettings(
        new ConfigReader({ keyManagers: [{ name: 'Okta', tls }] }),
        'instances[0]',
        fail,
      );
    expect(read({ ca: idpCa, rejectUnauthorized: true })[0].tls).toEqual({
      ca: idpCa,
      rejectUnauthorized: true,
    });
    expect(() => read({ ca: 'not a certificate' })).toThrow(
      'instances[0].keyManagers[0].tls.ca',
    );
  });
});
