/**
 * Backend plugin for provisioning existing OAuth2 clients into WSO2 API-M applications.
 *
 * @packageDocumentation
 */
export { apimCredentialsPlugin as default } from './plugin';
