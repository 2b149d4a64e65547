/**
 * Both fields inside the scaffolder's own form (`Stepper` from scaffolder-react): the key manager
 * picker follows the environments picked on the same page, and the fields' validation runs
 * when the user goes on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TemplateParameterSchema } from '@backstage/plugin-scaffolder-react';
import {
  apimFieldExtensions,
  renderStepper,
  stubWindowScrolling,
  templateManifest,
} from '../testing/__testUtils__/scaffolderForm';
import { APIM_ENVIRONMENTS_PICKER } from './environmentsField';
import { APIM_KEY_MANAGER_PICKER } from './keyManagerField';

jest.setTimeout(30_000);

stubWindowScrolling();

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
  apimFieldExtensions.environments,
  apimFieldExtensions.keyManager,
];

function renderForm(initialState?: Record<string, string | string[]>) {
  return renderStepper({ manifest, extensions, initialState });
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

  it('asks for the environments once: both pickers and the validation on "Review" share it', async () => {
    const { api, onCreate } = renderForm();
    await userEvent.click(
      await screen.findByRole('checkbox', { name: /Sandbox/ }),
    );
    await userEvent.click(
      await screen.findByRole('radio', { name: /WSO2 Identity Server/ }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    await userEvent.click(
      await screen.findByRole('button', { name: 'Create' }),
    );
    expect(onCreate).toHaveBeenCalledTimes(1);
    expect(api.getEnvironments).toHaveBeenCalledTimes(1);
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

/**
 * The example templates' own field declarations (read from examples/templates), so the form is
 * tested with exactly what a user runs: `minItems: 1` makes the form library seed the array with
 * an empty entry, which once reached the task as "'Environments 0' must be string".
 */
describe('the example templates’ environment fields', () => {
  const templatesDir = path.resolve(
    __dirname,
    '../../../../examples/templates',
  );
  const templates = fs
    .readdirSync(templatesDir)
    .map(dir => path.join(templatesDir, dir, 'template.yaml'))
    .filter(file => fs.existsSync(file));

  const apimFieldsOf = (file: string) =>
    templateManifest(
      file,
      (_name, prop) =>
        prop['ui:field'] === APIM_ENVIRONMENTS_PICKER ||
        prop['ui:field'] === APIM_KEY_MANAGER_PICKER,
    );

  const renderTemplateForm = (file: string) =>
    renderStepper({ manifest: apimFieldsOf(file), extensions });

  it('covers every example template that uses the environments picker', () => {
    expect(
      templates.filter(file => apimFieldsOf(file).steps.length > 0).length,
    ).toBeGreaterThanOrEqual(3);
  });

  it.each(templates.map(file => [path.basename(path.dirname(file)), file]))(
    '%s: from an empty form, ticking one environment reaches the task with only real ids',
    async (_name, file) => {
      const fields = apimFieldsOf(file);
      if (fields.steps.length === 0) return;
      const { onCreate } = renderTemplateForm(file);
      await userEvent.click(
        await screen.findByRole('checkbox', { name: /Sandbox/ }),
      );
      const keyManager = screen.queryByRole('radio', {
        name: /WSO2 Identity Server/,
      });
      if (keyManager) await userEvent.click(keyManager);
      await userEvent.click(screen.getByRole('button', { name: 'Review' }));
      expect(screen.queryByText(/must be string/)).not.toBeInTheDocument();
      await userEvent.click(
        await screen.findByRole('button', { name: 'Create' }),
      );
      expect(onCreate).toHaveBeenCalledTimes(1);
      expect(onCreate.mock.calls[0][0].environments).toEqual(['sandbox']);
    },
  );

  it.each(templates.map(file => [path.basename(path.dirname(file)), file]))(
    '%s: with nothing ticked, Review asks for an environment, not for a string',
    async (_name, file) => {
      if (apimFieldsOf(file).steps.length === 0) return;
      const { onCreate } = renderTemplateForm(file);
      await screen.findByRole('checkbox', { name: /Sandbox/ });
      await userEvent.click(screen.getByRole('button', { name: 'Review' }));
      // Either the schema's or the field's own wording; never an error about an empty entry.
      expect(
        (
          await screen.findAllByText(
            /'Environments' must NOT have fewer than 1 items|Select at least one environment/,
          )
        ).length,
      ).toBeGreaterThan(0);
      expect(screen.queryByText(/must be string/)).not.toBeInTheDocument();
      expect(onCreate).not.toHaveBeenCalled();
    },
  );
});
