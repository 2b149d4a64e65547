/**
 * The key manager server: a real OAuth2 authorization server (oidc-provider) behind HTTPS, plus
 * the WSO2 IS client-management endpoints (DCR v1.1) and a JWT-aware introspection endpoint.
 *
 * ESM-only dependencies (oidc-provider, jose) are imported here, so this module is only loaded by
 * `main.ts` running under tsx, never by code that runs in Jest.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import querystring from 'node:querystring';
import Provider from 'oidc-provider';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  type JWK,
} from 'jose';
import { handleInteraction, INTERACTION_PATH } from './login';
import { claimsOf, DEMO_USERS } from './users';
import {
  ClientRecord,
  ClientStore,
  generateClientId,
  generateClientSecret,
} from './store';

export const DCR_PATH = '/api/identity/oauth2/dcr/v1.1/register';
/** Resource (audience group) that access tokens are issued for when the client names none. */
export const DEFAULT_RESOURCE = 'urn:wso2:apim:gateway';
const ACCESS_TOKEN_TTL_SECONDS = 3600;
/** Grant types this server implements; others (e.g. `password`) are recorded but not usable. */
const SUPPORTED_GRANTS = new Set([
  'client_credentials',
  'authorization_code',
  'refresh_token',
]);
const DEFAULT_GRANTS = ['client_credentials'];
/** WSO2 IS's default service provider name validation regex. */
const CLIENT_NAME_PATTERN = /^[a-zA-Z0-9\s.+_-]+$/;
const MAX_BODY = 64 * 1024;

export interface KeyManagerServerOptions {
  port: number;
  host?: string;
  tls: { cert: string; key: string };
  dataFile?: string;
  admin: { username: string; password: string };
}

export interface KeyManagerServer {
  url: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.error_description ?? body.error ?? status));
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  res.statusCode = status;
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  for (const [name, value] of Object.entries(headers)) {
    res.setHeader(name, value);
  }
  if (body === undefined) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) {
      throw new HttpError(413, {
        error: 'invalid_request',
        error_description: 'request entity too large',
      });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function safeEqual(a: string, b: string): boolean {
  // Compare digests so that neither length nor content leaks through timing.
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

function parseBasic(
  header: string | undefined,
): { user: string; pass: string } | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.split(' ');
  if (scheme?.toLowerCase() !== 'basic' || !value) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  try {
    return {
      user: decodeURIComponent(decoded.slice(0, i)),
      pass: decodeURIComponent(decoded.slice(i + 1)),
    };
  } catch {
    return { user: decoded.slice(0, i), pass: decoded.slice(i + 1) };
  }
}

function toDcrResponse(record: ClientRecord) {
  return {
    client_id: record.client_id,
    client_secret: record.client_secret,
    client_name: record.client_name,
    grant_types: record.grant_types,
    redirect_uris: record.redirect_uris,
  };
}

function isUrl(value: string) {
  return URL.canParse(value);
}

/** oidc-provider client metadata derived from a DCR record. */
function toProviderMetadata(record: ClientRecord) {
  const grants = record.grant_types.filter(g => SUPPORTED_GRANTS.has(g));
  const code = grants.includes('authorization_code');
  return {
    client_id: record.client_id,
    client_secret: record.client_secret,
    client_name: record.client_name,
    grant_types: grants,
    redirect_uris: code ? record.redirect_uris.filter(isUrl) : [],
    response_types: code ? ['code'] : [],
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

function invalidMetadata(description: string) {
  return new HttpError(400, {
    error: 'invalid_client_metadata',
    error_description: description,
  });
}

function stringArray(value: unknown, field: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some(v => typeof v !== 'string')) {
    throw invalidMetadata(`${field} must be an array of strings`);
  }
  return value as string[];
}

/**
 * oidc-provider adapter. The `Client` model is served from the DCR client store (so clients
 * created through DCR work at the token endpoint at once); everything else lives in memory.
 */
function createAdapterFactory(store: ClientStore) {
  type Entry = { payload: Record<string, any>; expiresAt?: number };
  const memory = new Map<string, Entry>();

  return class Adapter {
    constructor(readonly name: string) {}

    #key(id: string) {
      return `${this.name}:${id}`;
    }

    async upsert(id: string, payload: Record<string, any>, expiresIn?: number) {
      if (this.name === 'Client') {
        throw new Error('clients are managed through the DCR endpoint');
      }
      memory.set(this.#key(id), {
        payload,
        expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined,
      });
    }

    async find(id: string) {
      if (this.name === 'Client') {
        const record = store.get(id);
        return record ? toProviderMetadata(record) : undefined;
      }
      const entry = memory.get(this.#key(id));
      if (!entry) return undefined;
      if (entry.expiresAt && entry.expiresAt < Date.now()) {
        memory.delete(this.#key(id));
        return undefined;
      }
      return entry.payload;
    }

    async findByUserCode(userCode: string) {
      for (const [key, entry] of memory) {
        if (
          key.startsWith(`${this.name}:`) &&
          entry.payload.userCode === userCode
        ) {
          return entry.payload;
        }
      }
      return undefined;
    }

    async findByUid(uid: string) {
      for (const [key, entry] of memory) {
        if (key.startsWith(`${this.name}:`) && entry.payload.uid === uid) {
          return entry.payload;
        }
      }
      return undefined;
    }

    async consume(id: string) {
      const entry = memory.get(this.#key(id));
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string) {
      if (this.name === 'Client') {
        store.delete(id);
        return;
      }
      memory.delete(this.#key(id));
    }

    async revokeByGrantId(grantId: string) {
      for (const [key, entry] of memory) {
        if (entry.payload.grantId === grantId) memory.delete(key);
      }
    }
  };
}

async function loadSigningKey(store: ClientStore): Promise<JWK> {
  if (store.signingKey) {
    return store.signingKey as JWK;
  }
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const signingKey: JWK = {
    ...jwk,
    kid: randomBytes(12).toString('base64url'),
    alg: 'RS256',
    use: 'sig',
  };
  store.setSigningKey(signingKey as Record<string, unknown>);
  return signingKey;
}

function publicJwk(jwk: JWK): JWK {
  const { kty, n, e, kid, alg, use } = jwk;
  return { kty, n, e, kid, alg, use };
}

export async function startKeyManagerServer(
  options: KeyManagerServerOptions,
): Promise<KeyManagerServer> {
  const store = new ClientStore({ dataFile: options.dataFile });
  const signingKey = await loadSigningKey(store);
  const localJwks = createLocalJWKSet({ keys: [publicJwk(signingKey)] });

  const server = https.createServer({
    cert: options.tls.cert,
    key: options.tls.key,
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `https://localhost:${port}`;
  const issuer = `${baseUrl}/oauth2/token`;

  const provider = new Provider(issuer, {
    adapter: createAdapterFactory(store) as any,
    clients: [],
    jwks: { keys: [signingKey as any] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    clientDefaults: {
      grant_types: DEFAULT_GRANTS,
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
    routes: {
      authorization: '/authorize',
      token: '/token',
      jwks: '/jwks',
      userinfo: '/userinfo',
      end_session: '/logout',
    },
    // Sign-in of the demo users (users.ts) for OIDC clients such as Backstage: the login page is
    // ours (login.ts), under /oauth2 like every other route of this server.
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) =>
        `${INTERACTION_PATH}${interaction.uid}`,
    },
    findAccount: async (_ctx: unknown, sub: string) => {
      const user = DEMO_USERS.find(u => u.username === sub);
      return user && { accountId: sub, claims: async () => claimsOf(user) };
    },
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    // Backstage keeps a user signed in with the refresh token (it asks for no offline_access).
    issueRefreshToken: async (_ctx: unknown, client: any) =>
      client.grantTypeAllowed('refresh_token'),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // JWT access tokens cannot be introspected by oidc-provider: /oauth2/introspect is ours.
      introspection: { enabled: false },
      revocation: { enabled: false },
      registration: { enabled: false },
      resourceIndicators: {
        enabled: true,
        // client_credentials tokens are for the API gateway; a user's sign-in token (code flow)
        // is for this server's userinfo endpoint, so it names no resource.
        defaultResource: async (ctx: any) =>
          ctx.oidc?.params?.grant_type === 'client_credentials'
            ? DEFAULT_RESOURCE
            : undefined,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (
          ctx: any,
          _resource: string,
          client: any,
        ) => ({
          // Like WSO2 IS, any requested scope is granted to a client_credentials token.
          scope: String(ctx.oidc?.params?.scope ?? 'default'),
          // WSO2 IS puts the consumer key in `aud`.
          audience: client.clientId,
          accessTokenFormat: 'jwt',
          accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL_SECONDS,
      ClientCredentials: ACCESS_TOKEN_TTL_SECONDS,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 86400,
      Grant: 86400,
      RefreshToken: 86400,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
    } as any,
  } as any);

  provider.on('server_error', (_ctx: unknown, error: Error) => {
    // Message and stack only: never request bodies, credentials or tokens.
    process.stderr.write(
      `${JSON.stringify({ event: 'server_error', message: error.message })}\n`,
    );
  });

  provider.use(async (ctx: any, next: () => Promise<void>) => {
    // WSO2 IS grants the `default` scope when a token request names none.
    if (
      ctx.method === 'POST' &&
      ctx.path === '/token' &&
      ctx.is('application/x-www-form-urlencoded')
    ) {
      const raw = await readBody(ctx.req);
      const params = querystring.parse(raw);
      if (params.grant_type === 'client_credentials' && !params.scope) {
        params.scope = 'default';
      }
      // oidc-provider falls back to req.body when the stream was already read.
      ctx.req.body = querystring.stringify(params);
    }
    await next();
    if (
      ctx.oidc?.route === 'token' &&
      ctx.status === 400 &&
      ctx.body?.error === 'invalid_request' &&
      /grant type is not allowed for this client/.test(
        ctx.body.error_description ?? '',
      )
    ) {
      // RFC 6749 section 5.2 (and WSO2 IS) answer unauthorized_client here.
      ctx.body = {
        error: 'unauthorized_client',
        error_description:
          'The authenticated client is not authorized to use this authorization grant type',
      };
    }
    if (
      ctx.oidc?.route === 'discovery' &&
      ctx.body &&
      typeof ctx.body === 'object'
    ) {
      ctx.body.introspection_endpoint = `${baseUrl}/oauth2/introspect`;
      ctx.body.introspection_endpoint_auth_methods_supported = [
        'client_secret_basic',
      ];
      ctx.body.registration_endpoint = `${baseUrl}${DCR_PATH}`;
    }
  });

  const providerCallback = provider.callback();

  function requireAdmin(req: IncomingMessage) {
    const creds = parseBasic(req.headers.authorization);
    const ok =
      creds !== undefined &&
      safeEqual(creds.user, options.admin.username) &&
      safeEqual(creds.pass, options.admin.password);
    if (!ok) {
      throw new HttpError(
        401,
        { error: 'unauthorized', error_description: 'Authentication required' },
        { 'WWW-Authenticate': 'Basic realm="WSO2 Identity Server"' },
      );
    }
  }

  async function readJson(
    req: IncomingMessage,
  ): Promise<Record<string, unknown>> {
    const raw = await readBody(req);
    try {
      const parsed = JSON.parse(raw || '{}');
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new Error('not an object');
      }
      return parsed;
    } catch {
      throw invalidMetadata('Request body is not a valid JSON object');
    }
  }

  async function validateWithProvider(record: ClientRecord) {
    const grants = record.grant_types;
    if (grants.includes('authorization_code') || grants.includes('implicit')) {
      if (!record.redirect_uris.length) {
        throw invalidMetadata(
          'Callback URL is mandatory for the authorization_code and implicit grant types',
        );
      }
    }
    try {
      await (provider.Client as any).validate(toProviderMetadata(record));
    } catch (error: any) {
      throw invalidMetadata(
        error?.error_description ?? error?.message ?? 'invalid client metadata',
      );
    }
  }

  async function handleDcr(
    req: IncomingMessage,
    res: ServerResponse,
    rest: string,
  ) {
    requireAdmin(req);
    const id = decodeURIComponent(rest.replace(/^\/+/, '').replace(/\/+$/, ''));
    const method = req.method ?? 'GET';
    const notFound = (clientId: string) =>
      new HttpError(404, {
        error: 'not_found',
        error_description: `Application not found for client id ${clientId}`,
      });

    if (!id) {
      if (method === 'POST') {
        const body = await readJson(req);
        const name = body.client_name;
        if (typeof name !== 'string' || !name.trim()) {
          throw invalidMetadata('client_name is required');
        }
        if (!CLIENT_NAME_PATTERN.test(name)) {
          throw invalidMetadata(`Application name ${name} is not valid`);
        }
        if (store.findByName(name)) {
          throw invalidMetadata(
            `Application with the name ${name} already exist in the system`,
          );
        }
        const grantTypes =
          stringArray(body.grant_types, 'grant_types') ?? DEFAULT_GRANTS;
        const redirectUris =
          stringArray(body.redirect_uris, 'redirect_uris') ?? [];
        const requestedId = body.ext_param_client_id;
        const requestedSecret = body.ext_param_client_secret;
        if (
          requestedId !== undefined &&
          (typeof requestedId !== 'string' ||
            !/^[\w.~-]{1,255}$/.test(requestedId))
        ) {
          throw invalidMetadata('ext_param_client_id is not valid');
        }
        if (
          requestedSecret !== undefined &&
          (typeof requestedSecret !== 'string' || !requestedSecret.length)
        ) {
          throw invalidMetadata('ext_param_client_secret is not valid');
        }
        const clientId =
          (requestedId as string | undefined) ?? generateClientId();
        if (store.get(clientId)) {
          throw invalidMetadata(`Client id ${clientId} already exists`);
        }
        const now = Date.now();
        const record: ClientRecord = {
          client_id: clientId,
          client_secret:
            (requestedSecret as string | undefined) ?? generateClientSecret(),
          client_name: name,
          grant_types: [...new Set(grantTypes)],
          redirect_uris: redirectUris,
          created_at: now,
          updated_at: now,
        };
        await validateWithProvider(record);
        store.put(record);
        sendJson(res, 201, toDcrResponse(record));
        return;
      }
      if (method === 'GET') {
        const name = new URL(req.url ?? '/', baseUrl).searchParams.get(
          'client_name',
        );
        if (!name) {
          throw new HttpError(400, {
            error: 'invalid_request',
            error_description: 'client_name query parameter is required',
          });
        }
        const record = store.findByName(name);
        if (!record) {
          throw new HttpError(404, {
            error: 'not_found',
            error_description: `Application not found for name ${name}`,
          });
        }
        sendJson(res, 200, toDcrResponse(record));
        return;
      }
      throw new HttpError(
        405,
        {
          error: 'method_not_allowed',
          error_description: `${method} not allowed`,
        },
        { Allow: 'GET, POST' },
      );
    }

    const record = store.get(id);
    if (method === 'GET') {
      if (!record) throw notFound(id);
      sendJson(res, 200, toDcrResponse(record));
      return;
    }
    if (method === 'DELETE') {
      if (!record) throw notFound(id);
      store.delete(id);
      sendJson(res, 204);
      return;
    }
    if (method === 'PUT') {
      if (!record) throw notFound(id);
      const body = await readJson(req);
      const name = body.client_name ?? record.client_name;
      if (typeof name !== 'string' || !CLIENT_NAME_PATTERN.test(name)) {
        throw invalidMetadata('client_name is not valid');
      }
      const other = store.findByName(name);
      if (other && other.client_id !== id) {
        throw invalidMetadata(
          `Application with the name ${name} already exist in the system`,
        );
      }
      const secret = body.ext_param_client_secret;
      if (
        secret !== undefined &&
        (typeof secret !== 'string' || !secret.length)
      ) {
        throw invalidMetadata('ext_param_client_secret is not valid');
      }
      const updated: ClientRecord = {
        ...record,
        client_name: name,
        grant_types:
          stringArray(body.grant_types, 'grant_types') ?? record.grant_types,
        redirect_uris:
          stringArray(body.redirect_uris, 'redirect_uris') ??
          record.redirect_uris,
        client_secret: (secret as string | undefined) ?? record.client_secret,
        updated_at: Date.now(),
      };
      await validateWithProvider(updated);
      store.put(updated);
      sendJson(res, 200, toDcrResponse(updated));
      return;
    }
    throw new HttpError(
      405,
      {
        error: 'method_not_allowed',
        error_description: `${method} not allowed`,
      },
      { Allow: 'GET, PUT, DELETE' },
    );
  }

  async function handleIntrospect(req: IncomingMessage, res: ServerResponse) {
    if (req.method !== 'POST') {
      throw new HttpError(
        405,
        { error: 'invalid_request', error_description: 'use POST' },
        { Allow: 'POST' },
      );
    }
    // Callers authenticate as the admin user (like WSO2 IS) or as any registered client.
    const creds = parseBasic(req.headers.authorization);
    let authenticated = false;
    if (creds) {
      if (
        safeEqual(creds.user, options.admin.username) &&
        safeEqual(creds.pass, options.admin.password)
      ) {
        authenticated = true;
      } else {
        const client = store.get(creds.user);
        authenticated = !!client && safeEqual(creds.pass, client.client_secret);
      }
    }
    if (!authenticated) {
      throw new HttpError(
        401,
        {
          error: 'invalid_client',
          error_description: 'client authentication failed',
        },
        { 'WWW-Authenticate': 'Basic realm="WSO2 Identity Server"' },
      );
    }
    const params = querystring.parse(await readBody(req));
    const token = params.token;
    if (typeof token !== 'string' || !token) {
      throw new HttpError(400, {
        error: 'invalid_request',
        error_description: 'missing required parameter token',
      });
    }
    try {
      const { payload } = await jwtVerify(token, localJwks, { issuer });
      const clientId = payload.client_id;
      if (typeof clientId !== 'string' || !store.get(clientId)) {
        // Deleting a client invalidates its tokens, as in WSO2 IS.
        sendJson(res, 200, { active: false });
        return;
      }
      sendJson(res, 200, {
        active: true,
        token_type: 'Bearer',
        client_id: clientId,
        scope: payload.scope,
        iss: payload.iss,
        sub: payload.sub,
        aud: payload.aud,
        exp: payload.exp,
        iat: payload.iat,
        nbf: payload.nbf,
        jti: payload.jti,
      });
    } catch {
      sendJson(res, 200, { active: false });
    }
  }

  const DISCOVERY_ALIASES = new Set([
    '/.well-known/openid-configuration',
    '/oauth2/token/.well-known/openid-configuration',
    '/oauth2/oidcdiscovery/.well-known/openid-configuration',
    '/.well-known/oauth-authorization-server',
  ]);

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const pathname = new URL(url, baseUrl).pathname;
    const run = async () => {
      if (pathname === DCR_PATH || pathname.startsWith(`${DCR_PATH}/`)) {
        await handleDcr(req, res, pathname.slice(DCR_PATH.length));
        return;
      }
      if (pathname.startsWith(INTERACTION_PATH)) {
        await handleInteraction(provider as any, req, res, {
          clientName: id => store.get(id)?.client_name,
        });
        return;
      }
      if (pathname === '/oauth2/introspect') {
        await handleIntrospect(req, res);
        return;
      }
      if (DISCOVERY_ALIASES.has(pathname)) {
        (req as any).originalUrl = '/oauth2/.well-known/openid-configuration';
        req.url = '/.well-known/openid-configuration';
        providerCallback(req, res);
        return;
      }
      if (pathname.startsWith('/oauth2/')) {
        (req as any).originalUrl = url;
        req.url = url.slice('/oauth2'.length);
        providerCallback(req, res);
        return;
      }
      if (pathname === '/health') {
        sendJson(res, 200, { status: 'UP' });
        return;
      }
      throw new HttpError(404, {
        error: 'not_found',
        error_description: `No resource at ${pathname}`,
      });
    };
    run().catch(error => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) {
        sendJson(res, error.status, error.body, error.headers);
        return;
      }
      process.stderr.write(
        `${JSON.stringify({
          event: 'server_error',
          message: String(error?.message ?? error),
        })}\n`,
      );
      sendJson(res, 500, {
        error: 'server_error',
        error_description: 'Internal server error',
      });
    });
  });

  return {
    url: baseUrl,
    close: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
