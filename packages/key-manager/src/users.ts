/**
 * The people who can sign in at the key manager's login page: WSO2 IS keeps the organisation's
 * users, so the stand-in keeps a fixed list of demo users. Backstage signs them in through its
 * OIDC provider (app-config.yaml `auth.providers.oidc`) and resolves `email` to the catalog user
 * whose name is the local part (pat@example.com -> user:default/pat, examples/org.yaml).
 *
 * This module must not import oidc-provider (it is also loaded by code that runs under Jest).
 */

/** A demo user: `username`/`password` at the login page; the rest are the OIDC claims. */
export interface DemoUser {
  /** Login name, also the OIDC `sub` and `preferred_username`. */
  username: string;
  /** Demo password (this is a local stand-in: the password is the user name). */
  password: string;
  /** OIDC `name`. */
  name: string;
  /** OIDC `email` (always `email_verified`); its local part names the Backstage user entity. */
  email: string;
  /** What the user is for in the demo, shown on the login page. */
  role: string;
}

/** The demo users of the local stack (see examples/org.yaml for their Backstage entities). */
export const DEMO_USERS: readonly DemoUser[] = [
  {
    username: 'pat',
    password: 'pat',
    name: 'Pat (platform team)',
    email: 'pat@example.com',
    role: 'platform-team: approves production keys',
  },
  {
    username: 'alice',
    password: 'alice',
    name: 'Alice (payments)',
    email: 'alice@example.com',
    role: 'team-payments: owns payments-service',
  },
];

/** The OIDC claims of a user, by scope: `openid` -> sub; `profile` -> name, preferred_username; `email` -> email, email_verified. */
export function claimsOf(user: DemoUser) {
  return {
    sub: user.username,
    preferred_username: user.username,
    name: user.name,
    email: user.email,
    email_verified: true,
  };
}

/** The user whose name and password match, or undefined. */
export function findDemoUser(
  username: string,
  password: string,
  users: readonly DemoUser[] = DEMO_USERS,
): DemoUser | undefined {
  return users.find(u => u.username === username && u.password === password);
}
