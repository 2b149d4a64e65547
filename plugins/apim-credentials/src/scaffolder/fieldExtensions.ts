/**
 * The two scaffolder fields for the LEGACY frontend system: put them inside
 * `<ScaffolderFieldExtensions>` under the scaffolder route.
 */
import { createScaffolderFieldExtension } from '@backstage/plugin-scaffolder-react';
import { ApimEnvironmentsPicker } from '../components/ApimEnvironmentsPicker';
import { ApimKeyManagerPicker } from '../components/ApimKeyManagerPicker';
import { apimCredentialsPlugin } from '../plugin';
import {
  APIM_ENVIRONMENTS_PICKER,
  apimEnvironmentsPickerSchema,
  validateApimEnvironments,
} from './environmentsField';
import {
  APIM_KEY_MANAGER_PICKER,
  apimKeyManagerPickerSchema,
  validateApimKeyManager,
} from './keyManagerField';

/**
 * Scaffolder field `ApimEnvironmentsPicker` (legacy frontend system). Provided by this plugin
 * (not the scaffolder's), so that an app using it also gets the apim-credentials API it calls.
 *
 * @public
 */
export const ApimEnvironmentsPickerFieldExtension =
  apimCredentialsPlugin.provide(
    createScaffolderFieldExtension({
      name: APIM_ENVIRONMENTS_PICKER,
      component: ApimEnvironmentsPicker,
      validation: validateApimEnvironments,
      schema: apimEnvironmentsPickerSchema.schema,
    }),
  );

/**
 * Scaffolder field `ApimKeyManagerPicker` (legacy frontend system).
 *
 * @public
 */
export const ApimKeyManagerPickerFieldExtension = apimCredentialsPlugin.provide(
  createScaffolderFieldExtension({
    name: APIM_KEY_MANAGER_PICKER,
    component: ApimKeyManagerPicker,
    validation: validateApimKeyManager,
    schema: apimKeyManagerPickerSchema.schema,
  }),
);
