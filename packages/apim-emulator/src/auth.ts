/** Users, role-to-scope bindings (tenant-conf.json defaults) and REST API authentication. */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { errors, sendError } from './errors';
import type { IssuedToken, Store } from './state';
import type { EmulatorUser } from './types';

export const DEFAULT_USERS: EmulatorUser[] = [
  { username: 'admin', password: 'admin', roles: ['admin'] },
  {
    username: 'svc-backstage',
    password: 'svc-backstage',
    roles: ['Internal/subscriber'],
  },
  {
    username: 'other-user',
    password: 'other-user',
    roles: ['Internal/subscriber'],
  },
];

/** Scope -> roles allowed to get it (contract 2.3). */
export const SCOPE_ROLES: Record<string, string[]> = {
  'apim:subscribe': ['admin', 'Internal/subscriber', 'Internal/devops'],
  'apim:app_manage': ['admin', 'Internal/subscriber', 'Internal/devops'],
  'apim:sub_manage': ['admin', 'Internal/subscriber', 'Internal/devops'],
  'apim:store_settings': ['admin', 'Internal/subscriber'],
  'apim:app_import_export': ['admin'],
  'apim:api_key': ['admin', 'Internal/subscriber', 'Internal/devops'],
  'apim:admin': ['admin'],
  'apim:admin_operations': ['admin'],
  'apim:keymanagers_manage': ['admin'],
};

/** Scopes that are granted to everybody who asks. */
const OPEN_SCOPES = new Set(['openid', 'default']);

export function grantScopes(requested: string[], roles: string[]): string[] {
  const granted = requested.filter(scope => {
    if (OPEN_SCOPES.has(scope)) return true;
    const allowed = SCOPE_ROLES[scope];
    return allowed ? allowed.some(r => roles.includes(r)) : false;
  });
  const unique = [...new Set(granted)];
  return unique.length ? unique : ['default'];
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export function parseBasic(
  header: string | undefined,
): { user: string; password: string } | undefined {
  if (!header || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString(
    'utf8',
  );
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return {
    user: dec(decoded.slice(0, i)),
    password: dec(decoded.slice(i + 1)),
  };
}

export function bearer(header: string | undefined): string | undefined {
  const m = header?.match(/^bearer\s+(\S+)\s*$/i);
  return m?.[1];
}

export class Users {
  constructor(private readonly users: EmulatorUser[]) {}

  authenticate(username: string, password: string): EmulatorUser | undefined {
    const u = this.users.find(x => x.username === username);
    return u && safeEqual(u.password, password) ? u : undefined;
  }

  get(username: string): EmulatorUser | undefined {
    return this.users.find(x => x.username === username);
  }
}

export function newOpaqueToken(): string {
  // WSO2 opaque tokens are UUID-shaped.
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(
    16,
    20,
  )}-${h.slice(20)}`;
}

export function findValidToken(
  store: Store,
  token: string,
): IssuedToken | undefined {
  const t = store.tokens.find(x => x.accessToken === token);
  return t && t.expiresAt > Date.now() ? t : undefined;
}

export interface Principal {
  username: string;
  scopes: string[];
}

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}

/**
 * Devportal authentication: Bearer token issued by the resident KM with ANY of `scopes`
 * (or Basic user credentials whose roles allow one of them). Anything else -> 401 (2.4).
 */
export function requireScopes(store: Store, users: Users, scopes: string[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    const token = bearer(header);
    if (token) {
      const t = findValidToken(store, token);
      if (t && t.scopes.some(s => scopes.includes(s))) {
        res.locals.principal = {
          username: t.username,
          scopes: t.scopes,
        } as Principal;
        next();
        return;
      }
    } else {
      const basic = parseBasic(header);
      const user = basic && users.authenticate(basic.user, basic.password);
      if (user) {
        const userScopes = grantScopes(scopes, user.roles).filter(s =>
          scopes.includes(s),
        );
        if (userScopes.length) {
          res.locals.principal = {
            username: user.username,
            scopes: userScopes,
          } as Principal;
          next();
          return;
        }
      }
    }
    sendError(res, errors.unauthenticated());
  };
}
