export { ApimCredentialsPage } from './ApimCredentialsPage';
export { ApimCredentialsPlatformContent } from './ApimCredentialsPlatformContent';
