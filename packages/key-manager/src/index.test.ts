import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, customFetch, jwtVerify } from 'jose';
import {
  KeyManagerClient,
  RunningKeyManager,
  httpsRequest,
  spawnKeyManager,
} from './index';

jest.setTimeout(60_000);

function form(params: Record<string, string>) {
  return new URLSearchParams(params).toString();
}

function basic(user: string, pass: string) {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

describe('key manager', () => {
  let dir: string;
  let km: RunningKeyManager;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'key-manager-test-'));
    km = await spawnKeyManager({
      port: 0,
      tlsDir: path.join(dir, 'tls'),
      dataFile: path.join(dir, 'km.json'),
    });
  });

  afterAll(async () => {
    await km?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function token(body: Record<string, string>, auth?: string) {
    const res = await httpsRequest(km.tokenEndpoint, {
      method: 'POST',
      ca: km.ca,
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        ...(auth ? { Authorization: auth } : {}),
      },
      body: form(body),
    });
    return { status: res.status, body: JSON.parse(res.body) };
  }

  it('issues a JWT for a DCR-created client that verifies against the JWKS', async () => {
    const { clientId, clientSecret } = await km.createClient({
      name: 'svc-token',
    });
    const res = await token(
      { grant_type: 'client_credentials' },
      basic(clientId, clientSecret),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', scope: 'default' });
    expect(res.body.expires_in).toBeGreaterThan(0);

    const jwks = createRemoteJWKSet(new URL(km.jwksUri), {
      [customFetch]: async (url: string) => {
        const r = await httpsRequest(url, { ca: km.ca });
        return new Response(r.body, {
          status: r.status,
          headers: { 'content-type': 'application/json' },
        });
      },
    } as any);
    const { payload, protectedHeader } = await jwtVerify(
      res.body.access_token,
      jwks,
      {
        issuer: km.issuer,
      },
    );
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({
      iss: km.issuer,
      client_id: clientId,
      sub: clientId,
      aud: clientId,
      scope: 'default',
    });
    expect(typeof payload.exp).toBe('number');
    expect(typeof payload.jti).toBe('string');

    // client_secret_post works too, and a requested scope is granted
    const post = await token({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      scope: 'apim:subscribe orders:read',
    });
    expect(post.status).toBe(200);
    expect(post.body.scope).toBe('apim:subscribe orders:read');

    // introspection (admin credentials, like WSO2 IS)
    const intro = await httpsRequest(km.introspectionEndpoint, {
      method: 'POST',
      ca: km.ca,
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: basic('admin', 'admin'),
      },
      body: form({ token: res.body.access_token }),
    });
    expect(intro.status).toBe(200);
    expect(JSON.parse(intro.body)).toMatchObject({
      active: true,
      client_id: clientId,
      scope: 'default',
    });
  });

  it('rejects a wrong secret and an unknown client with 401 invalid_client', async () => {
    const { clientId } = await km.createClient({ name: 'svc-wrong-secret' });
    const wrong = await token(
      { grant_type: 'client_credentials' },
      basic(clientId, 'not-the-secret'),
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');

    const unknown = await token(
      { grant_type: 'client_credentials' },
      basic('no-such-client', 'x'),
    );
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toBe('invalid_client');
  });

  it('answers unauthorized_client when the client may not use client_credentials', async () => {
    const { clientId, clientSecret } = await km.createClient({
      name: 'web-no-cc',
      grantTypes: ['authorization_code', 'refresh_token'],
      // redirect URIs are mandatory for the code grant
      redirectUris: ['https://localhost:3000/callback'],
    });
    const res = await token(
      { grant_type: 'client_credentials' },
      basic(clientId, clientSecret),
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('unauthorized_client');
  });

  it('reads a client back with its secret and 404s an unknown one', async () => {
    const created = await km.createClient({
      name: 'svc-read',
      clientId: 'fixed-client-id',
      clientSecret: 'fixed-client-secret',
    });
    expect(created).toEqual({
      clientId: 'fixed-client-id',
      clientSecret: 'fixed-client-secret',
    });
    const res = await httpsRequest(`${km.dcrEndpoint}/fixed-client-id`, {
      ca: km.ca,
      headers: { Authorization: basic('admin', 'admin') },
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      client_id: 'fixed-client-id',
      client_secret: 'fixed-client-secret',
      client_name: 'svc-read',
      grant_types: ['client_credentials'],
      redirect_uris: [],
    });

    const missing = await httpsRequest(`${km.dcrEndpoint}/does-not-exist`, {
      ca: km.ca,
      headers: { Authorization: basic('admin', 'admin') },
    });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).error).toBe('not_found');
  });

  it('deletes a client, after which it gets no token', async () => {
    const { clientId, clientSecret } = await km.createClient({
      name: 'svc-delete',
    });
    await km.deleteClient(clientId);
    expect(await km.client.getClient(clientId)).toBeUndefined();
    const res = await token(
      { grant_type: 'client_credentials' },
      basic(clientId, clientSecret),
    );
    expect(res.status).toBe(401);
    const again = await httpsRequest(`${km.dcrEndpoint}/${clientId}`, {
      method: 'DELETE',
      ca: km.ca,
      headers: { Authorization: basic('admin', 'admin') },
    });
    expect(again.status).toBe(404);
  });

  it('rejects bad admin credentials with 401', async () => {
    const bad = new KeyManagerClient({
      baseUrl: km.baseUrl,
      ca: km.ca,
      admin: { username: 'admin', password: 'wrong' },
    });
    await expect(bad.createClient({ name: 'nope' })).rejects.toMatchObject({
      status: 401,
    });
    const none = await httpsRequest(km.dcrEndpoint, {
      method: 'POST',
      ca: km.ca,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_name: 'nope' }),
    });
    expect(none.status).toBe(401);
  });

  it('serves discovery with issuer {baseUrl}/oauth2/token', async () => {
    for (const p of [
      '/oauth2/token/.well-known/openid-configuration',
      '/.well-known/openid-configuration',
    ]) {
      const res = await httpsRequest(`${km.baseUrl}${p}`, { ca: km.ca });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({
        issuer: km.issuer,
        token_endpoint: km.tokenEndpoint,
        jwks_uri: km.jwksUri,
        introspection_endpoint: km.introspectionEndpoint,
      });
    }
  });

  it('is not trusted by a client without the CA', async () => {
    await expect(httpsRequest(km.jwksUri)).rejects.toThrow(
      /self[- ]signed|unable to verify|certificate/i,
    );
  });

  it('keeps clients (and tokens) across a restart with a data file', async () => {
    const { clientId, clientSecret } = await km.createClient({
      name: 'svc-persist',
    });
    const before = await km.client.requestToken({ clientId, clientSecret });
    await km.stop();
    km = await spawnKeyManager({
      port: 0,
      tlsDir: path.join(dir, 'tls'),
      dataFile: path.join(dir, 'km.json'),
    });
    const info = await km.client.getClient(clientId);
    expect(info).toMatchObject({
      clientId,
      clientSecret,
      clientName: 'svc-persist',
    });
    const after = await km.client.requestToken({ clientId, clientSecret });
    expect(after.access_token).toBeTruthy();
    // same signing key after the restart: the earlier token still introspects as active
    // (issuer differs only if the port changed, so check the signature via JWKS kid)
    const kid = (t: string) =>
      JSON.parse(Buffer.from(t.split('.')[0], 'base64url').toString()).kid;
    expect(kid(after.access_token)).toBe(kid(before.access_token));
  });
});
