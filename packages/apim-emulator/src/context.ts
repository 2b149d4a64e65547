/** Shared runtime of the emulator: state, users, key manager clients, resident token issuing. */
import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import { newOpaqueToken, Users } from './auth';
import { errors } from './errors';
import { GatewayKeyCache } from './gateway-cache';
import { ExternalKeyManagerClient } from './key-manager-client';
import { Stats } from './stats';
import type { DcrClient, IssuedToken, KeyManager, Store } from './state';
import type { EmulatorLogger } from './types';

export interface EmulatorContext {
  store: Store;
  users: Users;
  stats: Stats;
  logger: EmulatorLogger;
  /** The gateway's event-fed view of key mappings (CONTRACT 14.2.4). */
  gatewayCache: GatewayKeyCache;
  /** Public base URL of this emulator, e.g. https://localhost:9443. */
  url(): string;
  /** Client for an external (IS-like) key manager; undefined for the resident KM. */
  externalClient(km: KeyManager): ExternalKeyManagerClient | undefined;
  issueToken(
    client: DcrClient,
    username: string,
    scopes: string[],
    withRefresh: boolean,
  ): IssuedToken;
  /** Persist after a change. */
  changed(): void;
}

export function createContext(options: {
  store: Store;
  users: Users;
  stats: Stats;
  logger: EmulatorLogger;
  url: () => string;
  kmCa?: string;
  kmAdmin: { username: string; password: string };
}): EmulatorContext {
  const clients = new Map<string, ExternalKeyManagerClient>();
  const { store } = options;
  return {
    store,
    users: options.users,
    stats: options.stats,
    logger: options.logger,
    gatewayCache: new GatewayKeyCache(store),
    url: options.url,
    externalClient(km) {
      if (!km.baseUrl || km.type === 'default') return undefined;
      let c = clients.get(km.baseUrl);
      if (!c) {
        c = new ExternalKeyManagerClient(
          km.baseUrl,
          options.kmCa,
          options.kmAdmin,
        );
        clients.set(km.baseUrl, c);
      }
      return c;
    },
    issueToken(client, username, scopes, withRefresh) {
      const now = Date.now();
      store.tokens = store.tokens.filter(t => t.expiresAt > now);
      const token: IssuedToken = {
        accessToken: newOpaqueToken(),
        refreshToken: withRefresh ? newOpaqueToken() : undefined,
        clientId: client.clientId,
        username,
        scopes,
        expiresAt: now + store.config.tokenLifetimeSeconds * 1000,
      };
      store.tokens.push(token);
      store.save();
      return token;
    },
    changed() {
      store.save();
    },
  };
}

export function randomSecret(bytes = 18): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Parses the raw JSON body the way WSO2's Jackson provider does: empty -> 400 "Request payload
 * cannot be empty.", malformed -> 400 "Malformed request body.", unknown property -> 400
 * "Unrecognized property '<name>'".
 */
export function jsonBody(
  req: Request,
  allowed: readonly string[],
  options: { required: boolean } = { required: true },
): Record<string, unknown> | undefined {
  const raw: Buffer | undefined = Buffer.isBuffer(req.body)
    ? req.body
    : undefined;
  const text = raw?.toString('utf8') ?? '';
  if (!text.trim()) {
    if (options.required) throw errors.emptyBody();
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw errors.malformedBody();
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw errors.malformedBody();
  }
  for (const key of Object.keys(parsed)) {
    if (!allowed.includes(key)) throw errors.unrecognizedProperty(key);
  }
  return parsed as Record<string, unknown>;
}
