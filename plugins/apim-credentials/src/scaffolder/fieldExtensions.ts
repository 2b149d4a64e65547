/**
 * The three scaffolder fields for the LEGACY frontend system: put them inside
 * `<ScaffolderFieldExtensions>` under the scaffolder route.
 */
import { createScaffolderFieldExtension } from '@backstage/plugin-scaffolder-react';
import { apimCredentialsPlugin } from '../plugin';
import {
  apimClientsPickerDeclaration,
  apimEnvironmentsPickerDeclaration,
  apimKeyManagerPickerDeclaration,
  toFieldExtensionOptions,
} from './fields';

/**
 * Scaffolder field `ApimEnvironmentsPicker` (legacy frontend system). Provided by this plugin
 * (not the scaffolder's), so that an app using it also gets the apim-credentials API it calls.
 *
 * @public
 */
export const ApimEnvironmentsPickerFieldExtension =
  apimCredentialsPlugin.provide(
    createScaffolderFieldExtension(
      toFieldExtensionOptions(apimEnvironmentsPickerDeclaration),
    ),
  );

/**
 * Scaffolder field `ApimKeyManagerPicker` (legacy frontend system).
 *
 * @public
 */
export const ApimKeyManagerPickerFieldExtension = apimCredentialsPlugin.provide(
  createScaffolderFieldExtension(
    toFieldExtensionOptions(apimKeyManagerPickerDeclaration),
  ),
);

/**
 * Scaffolder field `ApimClientsPicker` (legacy frontend system): one OAuth2 client per selected
 * environment, each secret kept in the task's secrets.
 *
 * @public
 */
export const ApimClientsPickerFieldExtension = apimCredentialsPlugin.provide(
  createScaffolderFieldExtension(
    toFieldExtensionOptions(apimClientsPickerDeclaration),
  ),
);
