/**
 * The API-M Credentials frontend plugin for the new frontend system.
 *
 * @packageDocumentation
 */
export { apimCredentialsPlugin as default } from './alpha/plugin';
export {
  apimCredentialsApi,
  apimCredentialsEntityContent,
  apimCredentialsPage,
  apimCredentialsRootRouteRef,
} from './alpha/plugin';
export {
  apimClientsPickerFormField,
  apimEnvironmentsPickerFormField,
  apimKeyManagerPickerFormField,
} from './alpha/formFields';
export { apimCredentialsApiRef } from './api';
