import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { oidcAuthApi, oidcAuthApiRef } from './oidcAuthApi';

/**
 * The sign-in page: Guest (the owner of the example services) or a person of the key manager
 * (OIDC; e.g. pat of platform-team, who approves the production keys a guest requested).
 */
const signInPage = SignInPageBlueprint.make({
  params: {
    loader: async () => {
      const { SignInPage } = await import('@backstage/core-components');
      return props => (
        <SignInPage
          {...props}
          providers={[
            'guest',
            {
              id: 'oidc-auth-provider',
              title: 'Key manager',
              message:
                'Sign in as a demo user of the local key manager (WSO2 IS stand-in), e.g. pat / pat',
              apiRef: oidcAuthApiRef,
            },
          ]}
        />
      );
    },
  },
});

/** Replaces the app plugin's guest-only sign-in page and adds the OIDC auth API. */
export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [oidcAuthApi, signInPage],
});
