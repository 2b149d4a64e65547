import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunningKeyManager, httpsRequest, spawnKeyManager } from './index';

jest.setTimeout(60_000);

const REDIRECT = 'http://localhost:7007/api/auth/oidc/handler/frame';

/** A browser in small: follows redirects on the key manager and keeps its cookies. */
function browser(km: RunningKeyManager) {
  const jar = new Map<string, string>();
  async function request(
    url: string,
    init: { method?: string; body?: string } = {},
  ) {
    const res = await httpsRequest(new URL(url, km.baseUrl).toString(), {
      method: init.method,
      ca: km.ca,
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(init.body
          ? { 'Content-Type': 'application/x-www-form-urlencoded' }
          : {}),
      },
      body: init.body,
    });
    for (const cookie of (res.headers['set-cookie'] as string[]) ?? []) {
      const [pair] = cookie.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  }
  /** Follows redirects while they stay on the key manager; returns the last answer. */
  async function follow(
    url: string,
    init?: { method?: string; body?: string },
  ) {
    let res = await request(url, init);
    while (res.status >= 300 && res.status < 400) {
      const location = new URL(String(res.headers.location), km.baseUrl);
      if (location.origin !== km.baseUrl) return { res, location };
      res = await request(location.toString());
    }
    return { res, location: undefined };
  }
  return { follow };
}

describe('key manager sign-in (login page for OIDC clients)', () => {
  let dir: string;
  let km: RunningKeyManager;
  let client: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'key-manager-login-'));
    km = await spawnKeyManager({ port: 0, tlsDir: path.join(dir, 'tls') });
    client = await km.createClient({
      name: 'backstage-sign-in',
      grantTypes: ['authorization_code', 'refresh_token'],
      redirectUris: [REDIRECT],
    });
  });

  afterAll(async () => {
    await km?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function authorizeUrl() {
    const params = new URLSearchParams({
      client_id: client.clientId,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid profile email',
      state: 'state-1',
      nonce: 'nonce-1',
    });
    return `/oauth2/authorize?${params}`;
  }

  it('shows the login page, refuses a wrong password and signs a demo user in', async () => {
    const b = browser(km);
    const page = await b.follow(authorizeUrl());
    expect(page.res.status).toBe(200);
    expect(page.res.body).toContain('backstage-sign-in');
    expect(page.res.body).toContain('<code>pat</code>');
    const action = /action="([^"]+)"/.exec(page.res.body)![1];

    const wrong = await b.follow(action, {
      method: 'POST',
      body: 'username=pat&password=nope',
    });
    expect(wrong.res.status).toBe(401);
    expect(wrong.res.body).toContain('Wrong user name or password.');

    const signedIn = await b.follow(action, {
      method: 'POST',
      body: 'username=pat&password=pat',
    });
    // Login, then consent without a page, then back to the client with a code.
    expect(signedIn.location?.origin + signedIn.location!.pathname).toBe(
      REDIRECT,
    );
    expect(signedIn.location!.searchParams.get('state')).toBe('state-1');
    const code = signedIn.location!.searchParams.get('code')!;
    expect(code).toBeTruthy();

    const tokenRes = await httpsRequest(km.tokenEndpoint, {
      method: 'POST',
      ca: km.ca,
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from(
          `${client.clientId}:${client.clientSecret}`,
        ).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
      }).toString(),
    });
    expect(tokenRes.status).toBe(200);
    const tokens = JSON.parse(tokenRes.body);
    expect(tokens.id_token).toBeTruthy();
    // Backstage keeps the session with the refresh token.
    expect(tokens.refresh_token).toBeTruthy();

    // The access token is for userinfo, which Backstage's OIDC provider reads.
    const userinfo = await httpsRequest(`${km.baseUrl}/oauth2/userinfo`, {
      ca: km.ca,
      headers: { Authorization: `Bearer ${tokens.access_token}` },
    });
    expect(userinfo.status).toBe(200);
    expect(JSON.parse(userinfo.body)).toEqual({
      sub: 'pat',
      preferred_username: 'pat',
      name: 'Pat (platform team)',
      email: 'pat@example.com',
      email_verified: true,
    });
  });

  it('answers an unknown interaction with a 400 page', async () => {
    const res = await httpsRequest(`${km.baseUrl}/oauth2/interaction/nope`, {
      ca: km.ca,
    });
    expect(res.status).toBe(400);
  });
});
