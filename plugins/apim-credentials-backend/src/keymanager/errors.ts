import { CustomErrorBase } from '@backstage/errors';

/**
 * The key manager refused a client_credentials request because it lacks a scope, audience or
 * other parameter that the backend's configuration must supply (Entra ID's `invalid_request` /
 * `invalid_scope`). An operator's fix, not the client owner's: a 500 whose message names the
 * configuration key to set, never "check the consumer key and secret".
 */
export class KeyManagerNeedsScopeError extends CustomErrorBase {
  name = 'KeyManagerNeedsScopeError' as const;
  readonly statusCode = 500 as const;
  readonly code = 'KEY_MANAGER_NEEDS_SCOPE' as const;
}
