import { Content, Header, Page } from '@backstage/core-components';
import { ApimCredentialsPlatformContent } from './ApimCredentialsPlatformContent';

/**
 * The platform page (`/apim-credentials`) with its Backstage header, for both frontend systems
 * (the new system's page extension hides the app's default header in favour of this one).
 *
 * @public
 */
export function ApimCredentialsPage() {
  return (
    <Page themeId="tool">
      <Header
        title="API-M Credentials"
        subtitle="OAuth2 clients mapped into WSO2 API Manager applications, and who did what"
      />
      <Content>
        <ApimCredentialsPlatformContent />
      </Content>
    </Page>
  );
}
