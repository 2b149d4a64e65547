import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import type { EnvironmentInfo } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { environments } from './fixtures';

/** The props RJSF hands a custom scaffolder field, with jest mocks for the callbacks. */
export function fieldProps<T, U = {}>(
  overrides: Partial<FieldExtensionComponentProps<T, U>> = {},
): FieldExtensionComponentProps<T, U> & { onChange: jest.Mock } {
  return {
    name: 'field',
    schema: {},
    uiSchema: {},
    idSchema: { $id: 'root_field' },
    rawErrors: [],
    disabled: false,
    readonly: false,
    required: true,
    onChange: jest.fn(),
    onBlur: jest.fn(),
    onFocus: jest.fn(),
    formContext: {},
    registry: {},
    ...overrides,
  } as unknown as FieldExtensionComponentProps<T, U> & { onChange: jest.Mock };
}

/** The fixtures' environments plus a staging one where the Resident Key Manager may not map. */
export const environmentsWithRestriction: EnvironmentInfo[] = [
  ...environments,
  {
    id: 'staging',
    title: 'Staging',
    instance: 'local',
    keyType: 'SANDBOX',
    approvalRequired: false,
    keyManagers: [
      {
        name: 'Resident Key Manager',
        displayName: 'Resident Key Manager',
        type: 'default',
        mappingAllowed: false,
        reason: 'not on the allow-list of this environment',
      },
      {
        name: 'IS',
        displayName: 'WSO2 Identity Server',
        type: 'WSO2-IS',
        mappingAllowed: true,
      },
    ],
  },
];
