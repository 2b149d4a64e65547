/**
 * The three scaffolder fields for the NEW frontend system, loaded lazily by the
 * `FormFieldBlueprint` extensions in `../alpha/formFields.ts`.
 */
import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import {
  apimClientsPickerDeclaration,
  apimEnvironmentsPickerDeclaration,
  apimKeyManagerPickerDeclaration,
} from './fields';

export const apimEnvironmentsPickerField = createFormField(
  apimEnvironmentsPickerDeclaration,
);

export const apimKeyManagerPickerField = createFormField(
  apimKeyManagerPickerDeclaration,
);

export const apimClientsPickerField = createFormField(
  apimClientsPickerDeclaration,
);
