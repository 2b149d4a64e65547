import {
  makeFieldSchema,
  type CustomFieldValidator,
} from '@backstage/plugin-scaffolder-react';
import { apimCredentialsApiRef } from '../api';
import { backendMessage } from '../components/common/errors';
import { loadApimEnvironments } from '../hooks/useApimEnvironments';
import { asStringArray, keyManagerOptions } from './keyManagerOptions';

/**
 * The `ui:field` name of the key manager picker.
 *
 * @public
 */
export const APIM_KEY_MANAGER_PICKER = 'ApimKeyManagerPicker';

/** The form property the key manager picker reads the selected environments from by default. */
export const DEFAULT_ENVIRONMENTS_FIELD = 'environments';

/** The zod a field schema's builders are handed (`makeFieldSchema`'s own). */
type Zod = Parameters<Parameters<typeof makeFieldSchema>[0]['output']>[0];

/**
 * A `ui:options` entry that names another property of the form (optional).
 *
 * @param description - what that property holds, as the field's documentation says it
 */
export function formPropertyOption(z: Zod, description: string) {
  return z.string().optional().describe(description);
}

/**
 * What the key manager picker returns (a key manager name) and its `ui:options`.
 * Declare the property as `type: string` so the scaffolder backend validates it too.
 *
 * @public
 */
export const apimKeyManagerPickerSchema = makeFieldSchema({
  output: z => z.string(),
  uiOptions: z =>
    z.object({
      environmentsField: formPropertyOption(
        z,
        `Name of the form property holding the selected environment ids (an ApimEnvironmentsPicker field); defaults to "${DEFAULT_ENVIRONMENTS_FIELD}"`,
      ),
    }),
});

/**
 * The `ui:options` of the key manager picker.
 *
 * @public
 */
export type ApimKeyManagerPickerUiOptions = {
  /** Form property with the selected environment ids; defaults to `environments`. */
  environmentsField?: string;
};

/** The environments field named by `ui:options.environmentsField`, or the default. */
export function environmentsFieldName(
  uiOptions: ApimKeyManagerPickerUiOptions | undefined,
): string {
  return uiOptions?.environmentsField || DEFAULT_ENVIRONMENTS_FIELD;
}

/**
 * The key manager must be offered for mapping in every selected environment. Asks the backend
 * (through the app's apim-credentials API) for the current environments; the action and the
 * backend check again when the task runs.
 *
 * @public
 */
export const validateApimKeyManager: CustomFieldValidator<
  string,
  ApimKeyManagerPickerUiOptions
> = async (value, validation, { apiHolder, formData, uiSchema }) => {
  if (!value) return; // `required` is the schema's business
  const field = environmentsFieldName(uiSchema?.['ui:options']);
  const selected = asStringArray(formData?.[field]);
  if (selected.length === 0) {
    validation.addError('Select the environments first');
    return;
  }
  const api = apiHolder.get(apimCredentialsApiRef);
  if (!api) return; // no client in this app: leave it to the backend
  let environments;
  try {
    // The pickers on this form asked a moment ago: their answer serves here too.
    environments = await loadApimEnvironments(api);
  } catch (error) {
    validation.addError(
      `Could not check the key manager: ${backendMessage(error)}`,
    );
    return;
  }
  const option = keyManagerOptions(environments, selected).find(
    o => o.name === value,
  );
  if (!option) {
    validation.addError(
      `Key manager "${value}" is not available in the selected environments`,
    );
  } else if (!option.offered) {
    validation.addError(
      `Key manager "${value}" is not offered: ${option.reason}`,
    );
  }
};
