import {
  makeFieldSchema,
  type CustomFieldValidator,
} from '@backstage/plugin-scaffolder-react';

/**
 * The `ui:field` name of the environments picker.
 *
 * @public
 */
export const APIM_ENVIRONMENTS_PICKER = 'ApimEnvironmentsPicker';

/**
 * What the environments picker returns: the ids of the selected environments, as the
 * `apim:credentials:*` actions take them. Declare the property as
 * `type: array, items: { type: string }` so the scaffolder backend validates it too.
 *
 * @public
 */
export const apimEnvironmentsPickerSchema = makeFieldSchema({
  output: z => z.array(z.string()),
});

/**
 * At least one environment, no duplicates.
 *
 * @public
 */
export const validateApimEnvironments: CustomFieldValidator<string[]> = (
  value,
  validation,
) => {
  const ids = Array.isArray(value) ? value : [];
  if (ids.length === 0) {
    validation.addError('Select at least one environment');
  } else if (new Set(ids).size !== ids.length) {
    validation.addError('Select each environment only once');
  }
};
