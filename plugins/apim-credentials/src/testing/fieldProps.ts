import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import type { EnvironmentInfo } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { environments, isKeyManager, residentKeyManager } from './fixtures';

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

/** A key manager as listed where API-M publishes no token endpoint for it. */
function withoutTokenEndpoint<T extends { tokenEndpoint?: string }>(
  keyManager: T,
): Omit<T, 'tokenEndpoint'> {
  const { tokenEndpoint: _tokenEndpoint, ...rest } = keyManager;
  return rest;
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
        ...withoutTokenEndpoint(residentKeyManager),
        mappingAllowed: false,
        reason: 'not on the allow-list of this environment',
      },
      withoutTokenEndpoint(isKeyManager),
    ],
  },
];
