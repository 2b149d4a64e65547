import { Content, Header, Page } from '@backstage/core-components';
import { ApimCredentialsPlatformContent } from './ApimCredentialsPlatformContent';

/**
 * The platform page with its own header, for legacy apps (the new frontend system's page
 * blueprint supplies the header itself).
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
