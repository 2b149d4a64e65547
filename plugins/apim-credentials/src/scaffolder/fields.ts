/**
 * The three scaffolder fields, declared once for both frontend systems: the new system's
 * `FormFieldBlueprint` extensions (`../alpha/formFields.ts`, through `createFormField`) and the
 * legacy system's field extensions (`./fieldExtensions.ts`) are both made from these.
 */
import type {
  FieldExtensionComponentProps,
  FieldExtensionOptions,
  CustomFieldValidator,
  FieldSchema,
} from '@backstage/plugin-scaffolder-react';
import { ApimEnvironmentsPicker } from '../components/ApimEnvironmentsPicker';
import { ApimKeyManagerPicker } from '../components/ApimKeyManagerPicker';
import { ApimClientsPicker } from '../components/ApimClientsPicker';
import {
  APIM_CLIENTS_PICKER,
  apimClientsPickerSchema,
  validateApimClients,
  type ApimClientEntry,
  type ApimClientsPickerUiOptions,
} from './clientsField';
import {
  APIM_ENVIRONMENTS_PICKER,
  apimEnvironmentsPickerSchema,
  validateApimEnvironments,
} from './environmentsField';
import {
  APIM_KEY_MANAGER_PICKER,
  apimKeyManagerPickerSchema,
  validateApimKeyManager,
  type ApimKeyManagerPickerUiOptions,
} from './keyManagerField';

/** One field: its `ui:field` name, component, validation and typed schema. */
export interface ApimFieldDeclaration<TValue, TUiOptions> {
  name: string;
  component: (
    props: FieldExtensionComponentProps<TValue, TUiOptions>,
  ) => JSX.Element | null;
  validation: CustomFieldValidator<TValue, TUiOptions>;
  schema: FieldSchema<TValue, TUiOptions>;
}

/** `ApimEnvironmentsPicker`: the selected environment ids. */
export const apimEnvironmentsPickerDeclaration: ApimFieldDeclaration<
  string[],
  {}
> = {
  name: APIM_ENVIRONMENTS_PICKER,
  component: ApimEnvironmentsPicker,
  validation: validateApimEnvironments,
  schema: apimEnvironmentsPickerSchema,
};

/** `ApimKeyManagerPicker`: a key manager offered in every selected environment. */
export const apimKeyManagerPickerDeclaration: ApimFieldDeclaration<
  string,
  ApimKeyManagerPickerUiOptions
> = {
  name: APIM_KEY_MANAGER_PICKER,
  component: ApimKeyManagerPicker,
  validation: validateApimKeyManager,
  schema: apimKeyManagerPickerSchema,
};

/** `ApimClientsPicker`: one client per selected environment, secrets in the task's secrets. */
export const apimClientsPickerDeclaration: ApimFieldDeclaration<
  ApimClientEntry[],
  ApimClientsPickerUiOptions
> = {
  name: APIM_CLIENTS_PICKER,
  component: ApimClientsPicker,
  validation: validateApimClients,
  schema: apimClientsPickerSchema,
};

/**
 * A declaration in the legacy system's shape (`createScaffolderFieldExtension`, or the
 * scaffolder `Stepper`'s `extensions`), which takes the JSON schema rather than the typed one.
 */
export function toFieldExtensionOptions<TValue, TUiOptions>(
  declaration: ApimFieldDeclaration<TValue, TUiOptions>,
): FieldExtensionOptions<TValue, TUiOptions> {
  return { ...declaration, schema: declaration.schema.schema };
}
