import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ApimKeyManagerPickerUiOptions } from '../../scaffolder/keyManagerField';
import { fakeApi, responseError } from '../../testing/fixtures';
import { renderWithApi } from '../../testing/__testUtils__/render';
import {
  environmentsWithRestriction,
  fieldProps,
} from '../../testing/fieldProps';
import { ApimKeyManagerPicker } from './ApimKeyManagerPicker';

function renderPicker(options: {
  api?: ReturnType<typeof fakeApi>;
  formValues?: Record<string, unknown>;
  formData?: string;
  uiOptions?: ApimKeyManagerPickerUiOptions;
}) {
  const api =
    options.api ??
    fakeApi({
      getEnvironments: jest.fn().mockResolvedValue(environmentsWithRestriction),
    });
  const props = fieldProps<string, ApimKeyManagerPickerUiOptions>({
    formData: options.formData,
    schema: { title: 'Key manager' },
    uiSchema: options.uiOptions ? { 'ui:options': options.uiOptions } : {},
    formContext: { formData: options.formValues ?? {} },
  });
  renderWithApi(<ApimKeyManagerPicker {...props} />, { api });
  return props;
}

describe('ApimKeyManagerPicker', () => {
  it('shows progress while the key managers load', async () => {
    renderPicker({
      api: fakeApi({ getEnvironments: jest.fn(() => new Promise(() => {})) }),
      formValues: { environments: ['sandbox'] },
    });
    expect(
      await screen.findByRole('progressbar', {
        name: 'Loading the key managers',
      }),
    ).toBeInTheDocument();
  });

  it("shows the backend's error", async () => {
    renderPicker({
      api: fakeApi({
        getEnvironments: jest
          .fn()
          .mockRejectedValue(
            await responseError(403, 'NotAllowedError', 'Access denied'),
          ),
      }),
      formValues: { environments: ['sandbox'] },
    });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      /Could not load the key managers: .*Access denied/,
    );
  });

  it('asks for environments when none are selected', async () => {
    renderPicker({ formValues: {} });
    expect(
      await screen.findByText(
        'Select one or more environments to see their key managers',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('radio')).not.toBeInTheDocument();
  });

  it('offers the key managers of one environment and returns the name', async () => {
    const props = renderPicker({ formValues: { environments: ['sandbox'] } });
    const is = await screen.findByRole('radio', {
      name: /WSO2 Identity Server/,
    });
    const resident = screen.getByRole('radio', {
      name: /Resident Key Manager/,
    });
    expect(is).toBeEnabled();
    expect(resident).toBeEnabled();
    await userEvent.click(is);
    expect(props.onChange).toHaveBeenLastCalledWith('IS');
  });

  it('disables a key manager missing from a selected environment, with the reason', async () => {
    renderPicker({
      formValues: { environments: ['sandbox', 'production'] },
    });
    expect(
      await screen.findByRole('radio', { name: /WSO2 Identity Server/ }),
    ).toBeEnabled();
    expect(
      screen.getByRole('radio', { name: /Resident Key Manager/ }),
    ).toBeDisabled();
    expect(
      screen.getByText(
        'Not offered: Production: not available in this environment',
      ),
    ).toBeInTheDocument();
  });

  it("disables a key manager that may not map in a selected environment, with the backend's reason", async () => {
    renderPicker({
      formValues: { targets: ['sandbox', 'staging'] },
      uiOptions: { environmentsField: 'targets' },
    });
    expect(
      await screen.findByRole('radio', { name: /Resident Key Manager/ }),
    ).toBeDisabled();
    expect(
      screen.getByText(
        'Not offered: Staging: not on the allow-list of this environment',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('radio', { name: /WSO2 Identity Server/ }),
    ).toBeEnabled();
  });

  it('clears a chosen key manager that the selected environments no longer offer', async () => {
    const props = renderPicker({
      formValues: { environments: ['sandbox', 'staging'] },
      formData: 'Resident Key Manager',
    });
    await waitFor(() => expect(props.onChange).toHaveBeenCalledWith(undefined));
  });
});
