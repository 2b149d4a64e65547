/**
 * The plugin's scaffolder fields inside the scaffolder's own form (`Stepper` from
 * scaffolder-react), as the tests of the fields in a real form set it up.
 */
import fs from 'node:fs';
import YAML from 'yaml';
import { ReactElement } from 'react';
import { Stepper } from '@backstage/plugin-scaffolder-react/alpha';
import type { TemplateParameterSchema } from '@backstage/plugin-scaffolder-react';
import type { ApimCredentialsFrontendApi } from '../../api';
import { environmentsWithRestriction } from '../fieldProps';
import { fakeApi } from '../fixtures';
import { renderWithApi } from './render';
import {
  apimClientsPickerDeclaration,
  apimEnvironmentsPickerDeclaration,
  apimKeyManagerPickerDeclaration,
  toFieldExtensionOptions,
} from '../../scaffolder/fields';

/** The plugin's fields as the scaffolder takes them: the very declarations both frontend systems register. */
export const apimFieldExtensions = {
  environments: toFieldExtensionOptions(apimEnvironmentsPickerDeclaration),
  keyManager: toFieldExtensionOptions(apimKeyManagerPickerDeclaration),
  clients: toFieldExtensionOptions(apimClientsPickerDeclaration as any),
};

/** The Stepper scrolls to the top on every page; jsdom has no scrolling. Call once per file. */
export function stubWindowScrolling() {
  beforeAll(() => {
    window.scrollTo = jest.fn() as typeof window.scrollTo;
  });
}

/**
 * The pages of a template file as the Stepper takes them, with only the properties `keep`
 * accepts (and only those of them that are required); a page left without any is dropped.
 */
export function templateManifest(
  file: string,
  keep: (name: string, property: any) => boolean,
): TemplateParameterSchema {
  const doc = YAML.parse(fs.readFileSync(file, 'utf8'));
  const steps: TemplateParameterSchema['steps'] = [];
  for (const step of doc.spec.parameters) {
    const entries = Object.entries<any>(step.properties ?? {}).filter(
      ([name, property]) => keep(name, property),
    );
    if (entries.length === 0) continue;
    const names = entries.map(([name]) => name);
    steps.push({
      title: step.title,
      schema: {
        type: 'object',
        required: (step.required ?? []).filter((r: string) =>
          names.includes(r),
        ),
        properties: Object.fromEntries(entries),
      },
    });
  }
  return { title: doc.metadata.title, steps };
}

/**
 * Renders a Stepper of `manifest` with the field `extensions` and a fake API whose environments
 * are `environmentsWithRestriction` (more of it in `api`).
 *
 * @param options.wrap - puts providers around the Stepper (e.g. the template secrets)
 * @returns the Stepper's `onCreate` mock and the fake API
 */
export function renderStepper(options: {
  manifest: TemplateParameterSchema;
  extensions: any[];
  initialState?: Record<string, string | string[]>;
  api?: Partial<jest.Mocked<ApimCredentialsFrontendApi>>;
  wrap?: (stepper: ReactElement) => ReactElement;
}) {
  const onCreate = jest.fn();
  const api = fakeApi({
    getEnvironments: jest.fn().mockResolvedValue(environmentsWithRestriction),
    ...options.api,
  });
  const stepper = (
    <Stepper
      manifest={options.manifest}
      extensions={options.extensions}
      initialState={options.initialState}
      onCreate={onCreate}
    />
  );
  renderWithApi(options.wrap ? options.wrap(stepper) : stepper, { api });
  return { onCreate, api };
}
