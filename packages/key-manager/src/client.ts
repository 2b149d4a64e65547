/**
 * Client for a running key manager: the WSO2 IS DCR v1.1 endpoints (admin, HTTP Basic) and the
 * token endpoint, over HTTPS trusting the local CA. Loaded under Jest, so no ESM-only imports.
 */
import https from 'node:https';

export const DCR_PATH = '/api/identity/oauth2/dcr/v1.1/register';

export interface AdminCredentials {
  username: string;
  password: string;
}

export interface CreateClientOptions {
  name: string;
  /** Defaults to `['client_credentials']`. */
  grantTypes?: string[];
  redirectUris?: string[];
  /** Fixed consumer key (WSO2 IS `ext_param_client_id`). */
  clientId?: string;
  /** Fixed consumer secret (WSO2 IS `ext_param_client_secret`). */
  clientSecret?: string;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** A client as the DCR endpoint returns it. */
export interface KeyManagerClientInfo extends ClientCredentials {
  clientName: string;
  grantTypes: string[];
  redirectUris: string[];
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
}

/** Error answer of the key manager (status and the OAuth2 error body). */
export class KeyManagerError extends Error {
  readonly name = 'KeyManagerError';
  constructor(
    readonly status: number,
    readonly error: string | undefined,
    readonly errorDescription: string | undefined,
  ) {
    super(
      `Key manager answered ${status}${error ? ` ${error}` : ''}${
        errorDescription ? `: ${errorDescription}` : ''
      }`,
    );
  }
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Minimal HTTPS request helper that trusts `ca` (never disables verification). */
export function httpsRequest(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    ca?: string;
    timeoutMs?: number;
  } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: options.method ?? 'GET',
        headers: {
          ...(options.body !== undefined
            ? { 'Content-Length': String(Buffer.byteLength(options.body)) }
            : {}),
          ...options.headers,
        },
        ca: options.ca,
        agent: false,
        timeout: options.timeoutMs ?? 10_000,
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', chunk => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`Request to ${url} timed out`)),
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function basic(user: string, pass: string) {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toInfo(body: any): KeyManagerClientInfo {
  return {
    clientId: body.client_id,
    clientSecret: body.client_secret,
    clientName: body.client_name,
    grantTypes: body.grant_types ?? [],
    redirectUris: body.redirect_uris ?? [],
  };
}

export class KeyManagerClient {
  readonly baseUrl: string;
  readonly ca: string;
  readonly admin: AdminCredentials;

  constructor(options: {
    baseUrl: string;
    ca: string;
    admin?: AdminCredentials;
  }) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.ca = options.ca;
    this.admin = options.admin ?? { username: 'admin', password: 'admin' };
  }

  get dcrEndpoint() {
    return `${this.baseUrl}${DCR_PATH}`;
  }

  get tokenEndpoint() {
    return `${this.baseUrl}/oauth2/token`;
  }

  async #dcr(
    method: string,
    suffix: string,
    body?: unknown,
  ): Promise<HttpResult> {
    return httpsRequest(`${this.dcrEndpoint}${suffix}`, {
      method,
      ca: this.ca,
      headers: {
        Authorization: basic(this.admin.username, this.admin.password),
        Accept: 'application/json',
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  }

  #fail(res: HttpResult): never {
    const body = parseJson(res.body);
    throw new KeyManagerError(res.status, body?.error, body?.error_description);
  }

  /** `POST .../register`; returns the new client's key and secret. */
  async createClient(
    options: CreateClientOptions,
  ): Promise<KeyManagerClientInfo> {
    const res = await this.#dcr('POST', '', {
      client_name: options.name,
      grant_types: options.grantTypes ?? ['client_credentials'],
      redirect_uris: options.redirectUris ?? [],
      ...(options.clientId ? { ext_param_client_id: options.clientId } : {}),
      ...(options.clientSecret
        ? { ext_param_client_secret: options.clientSecret }
        : {}),
    });
    if (res.status !== 201) this.#fail(res);
    return toInfo(JSON.parse(res.body));
  }

  /** `GET .../register/{clientId}`; undefined on 404. */
  async getClient(clientId: string): Promise<KeyManagerClientInfo | undefined> {
    const res = await this.#dcr('GET', `/${encodeURIComponent(clientId)}`);
    if (res.status === 404) return undefined;
    if (res.status !== 200) this.#fail(res);
    return toInfo(JSON.parse(res.body));
  }

  /** `GET .../register?client_name=`; undefined on 404. */
  async findClientByName(
    name: string,
  ): Promise<KeyManagerClientInfo | undefined> {
    const res = await this.#dcr(
      'GET',
      `?client_name=${encodeURIComponent(name)}`,
    );
    if (res.status === 404) return undefined;
    if (res.status !== 200) this.#fail(res);
    return toInfo(JSON.parse(res.body));
  }

  /** `DELETE .../register/{clientId}`; a missing client is not an error. */
  async deleteClient(clientId: string): Promise<void> {
    const res = await this.#dcr('DELETE', `/${encodeURIComponent(clientId)}`);
    if (res.status !== 204 && res.status !== 404) this.#fail(res);
  }

  /** client_credentials token (client_secret_basic). */
  async requestToken(
    credentials: ClientCredentials & { scope?: string },
  ): Promise<TokenResponse> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (credentials.scope) form.set('scope', credentials.scope);
    const res = await httpsRequest(this.tokenEndpoint, {
      method: 'POST',
      ca: this.ca,
      headers: {
        Authorization: basic(
          encodeURIComponent(credentials.clientId),
          encodeURIComponent(credentials.clientSecret),
        ),
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: form.toString(),
    });
    if (res.status !== 200) this.#fail(res);
    return JSON.parse(res.body);
  }
}
