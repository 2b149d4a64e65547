/**
 * The service account's REST token for one API-M instance, obtained as WSO2 documents it: a DCR
 * client (registered once, or configured) and a password grant with the devportal scopes.
 * Cached until shortly before expiry; concurrent callers share one token request (single flight).
 */
import { ApimError } from './ApimError';
import { HttpTransport } from './HttpTransport';
import type { InstanceConfig } from '../config';

/** `apim:subscribe` covers every devportal call we make; the others are "any of" alternatives. */
export const APIM_SCOPES = [
  'apim:subscribe',
  'apim:app_manage',
  'apim:sub_manage',
];

interface CachedToken {
  accessToken: string;
  expiresAt: number;
}

export class TokenProvider {
  private client?: { clientId: string; clientSecret: string };
  private token?: CachedToken;
  private inFlight?: Promise<CachedToken>;

  constructor(
    private readonly instance: InstanceConfig,
    private readonly transport: HttpTransport,
    private readonly now: () => number = Date.now,
  ) {
    if (instance.auth.clientId && instance.auth.clientSecret) {
      this.client = {
        clientId: instance.auth.clientId,
        clientSecret: instance.auth.clientSecret,
      };
    }
  }

  async getToken(): Promise<string> {
    if (this.token && this.token.expiresAt > this.now()) {
      return this.token.accessToken;
    }
    if (!this.inFlight) {
      this.inFlight = this.fetchToken().finally(() => {
        this.inFlight = undefined;
      });
    }
    return (await this.inFlight).accessToken;
  }

  /** Drops the cached token after API-M rejected it, unless a newer one already replaced it. */
  invalidate(rejected: string): void {
    if (this.token?.accessToken === rejected) this.token = undefined;
  }

  private async fetchToken(): Promise<CachedToken> {
    const client = await this.getClient();
    const operation = 'POST /oauth2/token';
    const response = await this.transport.send({
      method: 'POST',
      url: `${this.instance.baseUrl}/oauth2/token`,
      operation,
      headers: {
        authorization: basic(client.clientId, client.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({
        grant_type: 'password',
        username: this.instance.auth.username,
        password: this.instance.auth.password,
        scope: APIM_SCOPES.join(' '),
      }).toString(),
    });
    const text = await this.transport.readText(response, operation);
    if (!response.ok) {
      if (response.status === 401 && !this.instance.auth.clientId) {
        // The registered DCR client may have been removed; register again next time.
        this.client = undefined;
      }
      throw new ApimError(
        'http',
        operation,
        `API-M refused the service account's token request (HTTP ${response.status}); check apimCredentials.instances[${this.instance.id}].auth`,
        response.status,
        response.status,
      );
    }
    const body = parseJson(text, operation) as {
      access_token?: string;
      expires_in?: number;
      scope?: string;
    };
    if (!body.access_token) {
      throw new ApimError(
        'malformed',
        operation,
        `${operation} answered without an access_token`,
      );
    }
    const granted = (body.scope ?? '').split(' ');
    if (
      !granted.includes('apim:subscribe') &&
      !granted.includes('apim:app_manage')
    ) {
      throw new ApimError(
        'http',
        operation,
        `API-M granted the service account "${this.instance.auth.username}" none of the scopes apim:subscribe / apim:app_manage; give it the Internal/subscriber role`,
        403,
        403,
      );
    }
    const lifetimeMs = Math.max(1, body.expires_in ?? 3600) * 1000;
    // Refresh before expiry: a token that expires mid-request costs a 401 round trip.
    const margin = Math.min(60_000, lifetimeMs / 10);
    const token = {
      accessToken: body.access_token,
      expiresAt: this.now() + lifetimeMs - margin,
    };
    this.token = token;
    return token;
  }

  private async getClient(): Promise<{
    clientId: string;
    clientSecret: string;
  }> {
    if (this.client) return this.client;
    const operation = 'POST /client-registration/v0.17/register';
    const response = await this.transport.send({
      method: 'POST',
      url: `${this.instance.baseUrl}/client-registration/v0.17/register`,
      operation,
      headers: {
        authorization: basic(
          this.instance.auth.username,
          this.instance.auth.password,
        ),
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({
        clientName: this.instance.auth.clientName,
        owner: this.instance.auth.username,
        grantType: 'client_credentials password refresh_token',
        saasApp: true,
        callbackUrl: '',
        tokenType: 'JWT',
      }),
    });
    const text = await this.transport.readText(response, operation);
    if (!response.ok) {
      throw new ApimError(
        'http',
        operation,
        `API-M refused to register the REST client for "${this.instance.auth.username}" (HTTP ${response.status}); check the service account's username and password`,
        response.status,
        response.status,
      );
    }
    const body = parseJson(text, operation) as {
      clientId?: string;
      clientSecret?: string;
    };
    if (!body.clientId || !body.clientSecret) {
      throw new ApimError(
        'malformed',
        operation,
        `${operation} answered without clientId/clientSecret`,
      );
    }
    this.client = { clientId: body.clientId, clientSecret: body.clientSecret };
    return this.client;
  }
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export function parseJson(text: string, operation: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ApimError(
      'malformed',
      operation,
      `${operation} answered with a body that is not JSON`,
    );
  }
}
