/**
 * A test-only sign-in provider: `GET /api/auth/<providerId>/refresh` signs anyone in as
 * `userEntityRef`, with a token the auth backend issues and every plugin verifies (real auth,
 * like the guest provider, for a second user: an approver who is not the requester). Needs
 * `auth.providers.<providerId>` in the config (any object) to be enabled.
 */
import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  authProvidersExtensionPoint,
  createProxyAuthProviderFactory,
  createProxyAuthenticator,
} from '@backstage/plugin-auth-node';

export function signInAsModule(providerId: string, userEntityRef: string) {
  return createBackendModule({
    pluginId: 'auth',
    moduleId: `test-sign-in-${providerId}`,
    register(reg) {
      reg.registerInit({
        deps: { providers: authProvidersExtensionPoint },
        async init({ providers }) {
          providers.registerProvider({
            providerId,
            factory: createProxyAuthProviderFactory({
              authenticator: createProxyAuthenticator({
                defaultProfileTransform: async () => ({ profile: {} }),
                initialize: () => undefined,
                authenticate: async () => ({ result: {} }),
              }),
              signInResolver: async (_info, ctx) =>
                ctx.issueToken({
                  claims: { sub: userEntityRef, ent: [userEntityRef] },
                }),
            }),
          });
        },
      });
    },
  });
}
