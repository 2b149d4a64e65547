import type { ApiHolder } from '@backstage/core-plugin-api';
import { apimCredentialsApiRef } from '../api';
import { fakeApi, responseError } from '../testing/fixtures';
import { environmentsWithRestriction } from '../testing/fieldProps';
import { validateApimEnvironments } from './environmentsField';
import {
  validateApimKeyManager,
  type ApimKeyManagerPickerUiOptions,
} from './keyManagerField';

function fieldValidation() {
  const errors: string[] = [];
  return {
    errors,
    validation: { addError: (m: string) => errors.push(m) } as any,
  };
}

function apiHolder(
  api = fakeApi({
    getEnvironments: jest.fn().mockResolvedValue(environmentsWithRestriction),
  }),
): ApiHolder {
  return {
    get: (ref: { id: string }) =>
      ref.id === apimCredentialsApiRef.id ? api : undefined,
  } as ApiHolder;
}

async function validateKeyManager(
  value: string,
  formData: Record<string, any>,
  options: {
    holder?: ApiHolder;
    uiOptions?: ApimKeyManagerPickerUiOptions;
  } = {},
) {
  const { errors, validation } = fieldValidation();
  await validateApimKeyManager(value, validation, {
    apiHolder: options.holder ?? apiHolder(),
    formData,
    schema: {},
    uiSchema: options.uiOptions ? { 'ui:options': options.uiOptions } : {},
  });
  return errors;
}

describe('validateApimEnvironments', () => {
  it('needs at least one environment, each once', () => {
    const run = (value: any) => {
      const { errors, validation } = fieldValidation();
      validateApimEnvironments(value, validation, {
        apiHolder: apiHolder(),
        formData: {},
        schema: {},
      });
      return errors;
    };
    expect(run([])).toEqual(['Select at least one environment']);
    expect(run(undefined)).toEqual(['Select at least one environment']);
    expect(run(['sandbox', 'sandbox'])).toEqual([
      'Select each environment only once',
    ]);
    expect(run(['sandbox', 'production'])).toEqual([]);
  });
});

describe('validateApimKeyManager', () => {
  it('accepts a key manager offered in every selected environment', async () => {
    expect(
      await validateKeyManager('IS', {
        environments: ['sandbox', 'production'],
      }),
    ).toEqual([]);
  });

  it('rejects one that is not offered, with the reason', async () => {
    expect(
      await validateKeyManager('Resident Key Manager', {
        environments: ['sandbox', 'staging'],
      }),
    ).toEqual([
      'Key manager "Resident Key Manager" is not offered: Staging: not on the allow-list of this environment',
    ]);
    expect(
      await validateKeyManager('Okta', { environments: ['sandbox'] }),
    ).toEqual([
      'Key manager "Okta" is not available in the selected environments',
    ]);
  });

  it('reads the environments from the field named in ui:options', async () => {
    expect(
      await validateKeyManager(
        'Resident Key Manager',
        { targets: ['sandbox'], environments: ['staging'] },
        { uiOptions: { environmentsField: 'targets' } },
      ),
    ).toEqual([]);
  });

  it('needs the environments first, and reports a backend failure', async () => {
    expect(await validateKeyManager('IS', {})).toEqual([
      'Select the environments first',
    ]);
    const failing = fakeApi({
      getEnvironments: jest
        .fn()
        .mockRejectedValue(
          await responseError(503, 'ServiceUnavailableError', 'down'),
        ),
    });
    const [message] = await validateKeyManager(
      'IS',
      { environments: ['sandbox'] },
      { holder: apiHolder(failing) },
    );
    expect(message).toMatch(/^Could not check the key manager: .*down/);
  });
});
