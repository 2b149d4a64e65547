/**
 * The two scaffolder fields for the NEW frontend system, loaded lazily by the
 * `FormFieldBlueprint` extensions in `../alpha/formFields.ts`.
 */
import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import { ApimEnvironmentsPicker } from '../components/ApimEnvironmentsPicker';
import { ApimKeyManagerPicker } from '../components/ApimKeyManagerPicker';
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

export const apimEnvironmentsPickerField = createFormField({
  name: APIM_ENVIRONMENTS_PICKER,
  component: ApimEnvironmentsPicker,
  validation: validateApimEnvironments,
  schema: apimEnvironmentsPickerSchema,
});

export const apimKeyManagerPickerField = createFormField({
  name: APIM_KEY_MANAGER_PICKER,
  component: ApimKeyManagerPicker,
  validation: validateApimKeyManager,
  schema: apimKeyManagerPickerSchema,
});
