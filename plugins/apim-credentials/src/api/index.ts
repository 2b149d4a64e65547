export { apimCredentialsApiRef } from './ref';
export {
  ApimCredentialsFrontendClient,
  type ApimCredentialsFrontendApi,
} from './ApimCredentialsFrontendClient';
