import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';

/**
 * Scaffolder field `ApimEnvironmentsPicker`
 * (`scaffolder-form-field:apim-credentials/environments-picker`).
 *
 * @alpha
 */
export const apimEnvironmentsPickerFormField = FormFieldBlueprint.make({
  name: 'environments-picker',
  params: {
    field: () =>
      import('../scaffolder/formFields').then(
        m => m.apimEnvironmentsPickerField,
      ),
  },
});

/**
 * Scaffolder field `ApimKeyManagerPicker`
 * (`scaffolder-form-field:apim-credentials/key-manager-picker`).
 *
 * @alpha
 */
export const apimKeyManagerPickerFormField = FormFieldBlueprint.make({
  name: 'key-manager-picker',
  params: {
    field: () =>
      import('../scaffolder/formFields').then(m => m.apimKeyManagerPickerField),
  },
});

/**
 * Scaffolder field `ApimClientsPicker`
 * (`scaffolder-form-field:apim-credentials/clients-picker`).
 *
 * @alpha
 */
export const apimClientsPickerFormField = FormFieldBlueprint.make({
  name: 'clients-picker',
  params: {
    field: () =>
      import('../scaffolder/formFields').then(m => m.apimClientsPickerField),
  },
});
