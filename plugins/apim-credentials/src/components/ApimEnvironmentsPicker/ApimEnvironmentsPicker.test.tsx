import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeApi, responseError } from '../../testing/fixtures';
import { renderWithApi } from '../../testing/__testUtils__/render';
import { fieldProps } from '../../testing/fieldProps';
import {
  ApimEnvironmentsPicker,
  environmentIdsOf,
} from './ApimEnvironmentsPicker';

function renderPicker(api = fakeApi(), formData?: unknown[]) {
  const props = fieldProps<string[]>({
    formData: formData as string[] | undefined,
    schema: { title: 'Environments', description: 'Where to map the client' },
  });
  renderWithApi(<ApimEnvironmentsPicker {...props} />, { api });
  return props;
}

describe('ApimEnvironmentsPicker', () => {
  it('shows progress while the environments load', async () => {
    renderPicker(
      fakeApi({ getEnvironments: jest.fn(() => new Promise(() => {})) }),
    );
    expect(
      await screen.findByRole('progressbar', {
        name: 'Loading the environments',
      }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('checkbox')).not.toBeInTheDocument();
  });

  it("shows the backend's error", async () => {
    renderPicker(
      fakeApi({
        getEnvironments: jest
          .fn()
          .mockRejectedValue(
            await responseError(503, 'ServiceUnavailableError', 'API-M down'),
          ),
      }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      /Could not load the environments: .*API-M down/,
    );
  });

  it('lists the environments with title and key type and returns the selected ids', async () => {
    const props = renderPicker(fakeApi(), ['sandbox']);
    const sandbox = await screen.findByRole('checkbox', { name: /Sandbox/ });
    const production = screen.getByRole('checkbox', { name: /Production/ });
    expect(sandbox).toBeChecked();
    expect(production).not.toBeChecked();
    expect(
      screen.getByText('(PRODUCTION keys, API-M instance local)'),
    ).toBeInTheDocument();
    expect(screen.getByText('Where to map the client')).toBeInTheDocument();

    await userEvent.click(production);
    expect(props.onChange).toHaveBeenLastCalledWith(['sandbox', 'production']);
    await userEvent.click(sandbox);
    expect(props.onChange).toHaveBeenLastCalledWith([]);
  });

  it('keeps the configured order whatever the click order', async () => {
    const props = renderPicker(fakeApi(), ['production']);
    await userEvent.click(
      await screen.findByRole('checkbox', { name: /Sandbox/ }),
    );
    expect(props.onChange).toHaveBeenLastCalledWith(['sandbox', 'production']);
  });
});

describe('environmentIdsOf', () => {
  it.each([
    [undefined, undefined, []],
    ['sandbox', undefined, []],
    [[undefined], undefined, []],
    [[null, '', '  ', 3], undefined, []],
    [[undefined, 'sandbox'], undefined, ['sandbox']],
    [['sandbox', 'sandbox'], undefined, ['sandbox']],
    [
      ['production', 'gone', 'sandbox'],
      ['sandbox', 'production'],
      ['sandbox', 'production'],
    ],
  ])('%j (known %j) -> %j', (value, known, expected) => {
    expect(environmentIdsOf(value, known)).toEqual(expected);
  });
});

describe('ApimEnvironmentsPicker with a seeded or stale value', () => {
  it('replaces the empty entry the form library seeds for minItems', async () => {
    const props = renderPicker(fakeApi(), [undefined]);
    await screen.findByRole('checkbox', { name: /Sandbox/ });
    expect(props.onChange).toHaveBeenCalledWith([]);
  });

  it('drops ids the backend does not configure and keeps the rest', async () => {
    const props = renderPicker(fakeApi(), ['gone', 'production']);
    await screen.findByRole('checkbox', { name: /Sandbox/ });
    expect(props.onChange).toHaveBeenLastCalledWith(['production']);
  });

  it('ticks next to the seeded entry without keeping it', async () => {
    const props = renderPicker(fakeApi(), [undefined]);
    await userEvent.click(
      await screen.findByRole('checkbox', { name: /Production/ }),
    );
    expect(props.onChange).toHaveBeenLastCalledWith(['production']);
  });
});
