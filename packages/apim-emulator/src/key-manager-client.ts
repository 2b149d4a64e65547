/**
 * Calls to an external WSO2-IS-like key manager: its DCR endpoint (read a client), its token
 * endpoint (client_credentials) and its JWKS (gateway token validation).
 */
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { basicAuth, httpRequest } from './https-client';

export interface KmClientInfo {
  clientId: string;
  clientSecret: string | null;
  grantTypes: string[];
  redirectUris: string[];
}

/** The KM answered, with an HTTP error (401, 5xx): map-keys 500/900967, listing skips the row (CONTRACT 14.1). */
export class KeyManagerUnavailableError extends Error {}

/**
 * The KM could not be reached at all (refused, DNS, connect/read timeout): an unchecked exception
 * in API-M, so map-keys answers 500/500 and the whole key listing fails (CONTRACT 14.1).
 */
export class KeyManagerTransportError extends Error {}

export interface KmTokenResult {
  accessToken: string;
  scopes: string[];
  expiresIn: number;
}

const TIMEOUT_MS = 10_000;

export class ExternalKeyManagerClient {
  private jwks?: {
    set: ReturnType<typeof createLocalJWKSet>;
    fetchedAt: number;
  };

  constructor(
    readonly baseUrl: string,
    private readonly ca: string | undefined,
    private readonly admin: { username: string; password: string },
  ) {}

  get tokenEndpoint() {
    return `${this.baseUrl}/oauth2/token`;
  }

  get issuer() {
    return `${this.baseUrl}/oauth2/token`;
  }

  /** Reads a client via `GET /api/identity/oauth2/dcr/v1.1/register/{id}`; null when 404. */
  async getClient(clientId: string): Promise<KmClientInfo | null> {
    const res = await httpRequest({
      url: `${
        this.baseUrl
      }/api/identity/oauth2/dcr/v1.1/register/${encodeURIComponent(clientId)}`,
      headers: {
        authorization: basicAuth(this.admin.username, this.admin.password),
        accept: 'application/json',
      },
      ca: this.ca,
      timeoutMs: TIMEOUT_MS,
    }).catch((e: Error) => {
      throw new KeyManagerTransportError(
        `Key manager ${this.baseUrl} unreachable: ${e.message}`,
      );
    });
    if (res.status === 404) return null;
    if (res.status !== 200) {
      throw new KeyManagerUnavailableError(
        `Key manager DCR read answered HTTP ${res.status}`,
      );
    }
    const body = JSON.parse(res.text);
    return {
      clientId: body.client_id,
      clientSecret: body.client_secret ?? null,
      grantTypes: body.grant_types ?? [],
      redirectUris: body.redirect_uris ?? [],
    };
  }

  async clientCredentialsToken(
    clientId: string,
    clientSecret: string,
    scopes?: string[],
  ): Promise<KmTokenResult> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scopes && scopes.length) form.set('scope', scopes.join(' '));
    const res = await httpRequest({
      url: this.tokenEndpoint,
      method: 'POST',
      headers: {
        authorization: basicAuth(
          encodeURIComponent(clientId),
          encodeURIComponent(clientSecret),
        ),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: form.toString(),
      ca: this.ca,
      timeoutMs: TIMEOUT_MS,
    });
    if (res.status !== 200) {
      throw new Error(`Key manager token endpoint answered HTTP ${res.status}`);
    }
    const body = JSON.parse(res.text);
    return {
      accessToken: body.access_token,
      scopes:
        typeof body.scope === 'string' && body.scope
          ? body.scope.split(' ')
          : [],
      expiresIn: Number(body.expires_in ?? 0),
    };
  }

  private async loadJwks(force: boolean) {
    if (!force && this.jwks && Date.now() - this.jwks.fetchedAt < 300_000) {
      return this.jwks.set;
    }
    const res = await httpRequest({
      url: `${this.baseUrl}/oauth2/jwks`,
      ca: this.ca,
      timeoutMs: TIMEOUT_MS,
    });
    if (res.status !== 200) throw new Error(`JWKS answered HTTP ${res.status}`);
    const set = createLocalJWKSet(JSON.parse(res.text));
    this.jwks = { set, fetchedAt: Date.now() };
    return set;
  }

  /** Verifies signature (KM JWKS), issuer and expiry; refetches the JWKS once on a key miss. */
  async verifyJwt(token: string): Promise<JWTPayload> {
    const opts = { issuer: this.issuer };
    try {
      return (await jwtVerify(token, await this.loadJwks(false), opts)).payload;
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_JWKS_NO_MATCHING_KEY') {
        return (await jwtVerify(token, await this.loadJwks(true), opts))
          .payload;
      }
      throw e;
    }
  }
}
