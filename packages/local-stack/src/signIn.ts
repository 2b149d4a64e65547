/**
 * Backstage's sign-in client in the key manager: the example app signs people in through
 * Backstage's OIDC provider against the key manager (app-config.yaml `auth.providers.oidc`),
 * which needs an OAuth2 client with the code grant and Backstage's callback URL. Fixed id and
 * secret (a local demo client), so app-config.yaml can name them on a fresh clone.
 */
import { DEMO_USERS, KeyManagerClient } from '@internal/key-manager';

/** The client as app-config.yaml names it (`auth.providers.oidc.development`). */
export const BACKSTAGE_SIGN_IN_CLIENT = {
  name: 'backstage-sign-in',
  clientId: 'backstage-sign-in',
  /** A local demo secret, also in app-config.yaml; never a real one. */
  clientSecret: 'backstage-sign-in-local-demo',
  grantTypes: ['authorization_code', 'refresh_token'],
  redirectUris: ['http://localhost:7007/api/auth/oidc/handler/frame'],
} as const;

/** What stack.json says about signing in: the client id and the demo users (name / password). */
export interface SignInInfo {
  clientId: string;
  users: { username: string; password: string; role: string }[];
}

/**
 * Creates the sign-in client unless it exists as specified; one left with another secret or
 * other redirect URIs (an older stack) is replaced. Throws KeyManagerError when the key manager
 * refuses.
 */
export async function seedSignInClient(
  client: KeyManagerClient,
): Promise<SignInInfo> {
  const spec = BACKSTAGE_SIGN_IN_CLIENT;
  const existing = await client.getClient(spec.clientId);
  const matches =
    existing &&
    existing.clientSecret === spec.clientSecret &&
    existing.grantTypes.join() === spec.grantTypes.join() &&
    JSON.stringify(existing.redirectUris ?? []) ===
      JSON.stringify(spec.redirectUris);
  if (!matches) {
    if (existing) await client.deleteClient(spec.clientId);
    await client.createClient({
      name: spec.name,
      clientId: spec.clientId,
      clientSecret: spec.clientSecret,
      grantTypes: [...spec.grantTypes],
      redirectUris: [...spec.redirectUris],
    });
  }
  return {
    clientId: spec.clientId,
    users: DEMO_USERS.map(({ username, password, role }) => ({
      username,
      password,
      role,
    })),
  };
}
