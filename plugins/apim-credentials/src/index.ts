/**
 * The API-M Credentials frontend plugin: legacy frontend system exports. For the new frontend
 * system, use `@apim-credentials/backstage-plugin-apim-credentials/alpha`.
 *
 * @packageDocumentation
 */
export {
  apimCredentialsPlugin,
  EntityApimCredentialsContent,
  ApimCredentialsPage,
} from './plugin';
export { isApimCredentialsAvailable } from './conditions';
export { rootRouteRef as apimCredentialsRouteRef } from './routes';
export {
  apimCredentialsApiRef,
  ApimCredentialsFrontendClient,
  type ApimCredentialsFrontendApi,
} from './api';
export {
  ApimClientsPickerFieldExtension,
  ApimEnvironmentsPickerFieldExtension,
  ApimKeyManagerPickerFieldExtension,
} from './scaffolder/fieldExtensions';
export {
  APIM_ENVIRONMENTS_PICKER,
  apimEnvironmentsPickerSchema,
  validateApimEnvironments,
} from './scaffolder/environmentsField';
export {
  APIM_KEY_MANAGER_PICKER,
  apimKeyManagerPickerSchema,
  validateApimKeyManager,
  type ApimKeyManagerPickerUiOptions,
} from './scaffolder/keyManagerField';
export {
  APIM_CLIENTS_PICKER,
  apimClientsPickerSchema,
  clientSecretName,
  validateApimClients,
  type ApimClientEntry,
  type ApimClientsPickerUiOptions,
} from './scaffolder/clientsField';
