/**
 * Both fields inside the scaffolder's own form (`Stepper` from scaffolder-react): the key manager
 * picker follows the environments picked on the same page, and the fields' validation runs
 * when the user goes on.
 */
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { Stepper } from '@backstage/plugin-scaffolder-react/alpha';
import type { TemplateParameterSchema } from '@backstage/plugin-scaffolder-react';
import { apimCredentialsApiRef } from '../api';
import { ApimEnvironmentsPicker } from '../components/ApimEnvironmentsPicker';
import { ApimKeyManagerPicker } from '../components/ApimKeyManagerPicker';
import { fakeApi } from '../testing/fixtures';
import { environmentsWithRestriction } from '../testing/fieldProps';
import {
  APIM_ENVIRONMENTS_PICKER,
  validateApimEnvironments,
} from './environmentsField';
import {
  APIM_KEY_MANAGER_PICKER,
  validateApimKeyManager,
} from './keyManagerField';

jest.setTimeout(30_000);

// The Stepper scrolls to the top on every page; jsdom has no scrolling.
beforeAll(() => {
  window.scrollTo = jest.fn() as typeof window.scrollTo;
});

const manifest: TemplateParameterSchema = {
  title: 'Provide an existing OAuth2 client',
  steps: [
    {
      title: 'Where',
      schema: {
        type: 'object',
        required: ['environments', 'keyManager'],
        properties: {
          environments: {
            title: 'Environments',
            type: 'array',
            items: { type: 'string' },
            'ui:field': APIM_ENVIRONMENTS_PICKER,
          },
          keyManager: {
            title: 'Key manager',
            type: 'string',
            'ui:field': APIM_KEY_MANAGER_PICKER,
          },
        },
      },
    },
  ],
};

const extensions = [
  {
    name: APIM_ENVIRONMENTS_PICKER,
    component: ApimEnvironmentsPicker,
    validation: validateApimEnvironments,
  },
  {
    name: APIM_KEY_MANAGER_PICKER,
    component: ApimKeyManagerPicker,
    validation: validateApimKeyManager,
  },
];

function renderForm(initialState?: Record<string, string | string[]>) {
  const onCreate = jest.fn();
  renderInTestApp(
    <Stepper
      manifest={manifest}
      extensions={extensions}
      initialState={initialState}
      onCreate={onCreate}
    />,
    {
      apis: [
        [
          apimCredentialsApiRef,
          fakeApi({
            getEnvironments: jest
              .fn()
              .mockResolvedValue(environmentsWithRestriction),
          }),
        ],
      ],
    },
  );
  return { onCreate };
}

describe('the pickers in the scaffolder form', () => {
  it('offers the key managers of the environments ticked on the same page', async () => {
    renderForm();
    await userEvent.click(
      await screen.findByRole('checkbox', { name: /Sandbox/ }),
    );
    expect(
      await screen.findByRole('radio', { name: /Resident Key Manager/ }),
    ).toBeEnabled();

    await userEvent.click(screen.getByRole('checkbox', { name: /Staging/ }));
    expect(
      await screen.findByText(
        'Not offered: Staging: not on the allow-list of this environment',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('radio', { name: /Resident Key Manager/ }),
    ).toBeDisabled();

    await userEvent.click(
      screen.getByRole('radio', { name: /WSO2 Identity Server/ }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    // The review step lists the values the task will get.
    expect(await screen.findByText('IS')).toBeInTheDocument();
  });

  it("runs the fields' validation before going on", async () => {
    renderForm({ environments: ['sandbox', 'sandbox'], keyManager: 'IS' });
    expect(
      await screen.findByRole('radio', { name: /WSO2 Identity Server/ }),
    ).toBeChecked();
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(
      (await screen.findAllByText(/Select each environment only once/)).length,
    ).toBeGreaterThan(0);
    expect(screen.getByRole('button', { name: 'Review' })).toBeInTheDocument();
  });
});
