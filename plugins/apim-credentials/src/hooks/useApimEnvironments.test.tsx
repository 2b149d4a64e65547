import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { environments, fakeApi, responseError } from '../testing/fixtures';
import { renderWithApi } from '../testing/__testUtils__/render';
import {
  ENVIRONMENTS_MAX_AGE_MS,
  loadApimEnvironments,
  useApimEnvironments,
} from './useApimEnvironments';

afterEach(() => jest.restoreAllMocks());

describe('loadApimEnvironments', () => {
  it('asks the backend once for every caller of the same API instance', async () => {
    const api = fakeApi();
    const answers = await Promise.all([
      loadApimEnvironments(api),
      loadApimEnvironments(api),
    ]);
    expect(await loadApimEnvironments(api)).toBe(answers[0]);
    expect(answers[1]).toBe(answers[0]);
    expect(api.getEnvironments).toHaveBeenCalledTimes(1);
  });

  it('keeps one cache per API instance', async () => {
    const first = fakeApi();
    const second = fakeApi({
      getEnvironments: jest.fn().mockResolvedValue([]),
    });
    expect(await loadApimEnvironments(first)).toEqual(environments);
    expect(await loadApimEnvironments(second)).toEqual([]);
    expect(first.getEnvironments).toHaveBeenCalledTimes(1);
    expect(second.getEnvironments).toHaveBeenCalledTimes(1);
  });

  it('does not keep a failure: the next caller asks again', async () => {
    const failure = await responseError(503, 'ServiceUnavailableError', 'down');
    const api = fakeApi({
      getEnvironments: jest
        .fn()
        .mockRejectedValueOnce(failure)
        .mockResolvedValue(environments),
    });
    await expect(loadApimEnvironments(api)).rejects.toBe(failure);
    expect(await loadApimEnvironments(api)).toEqual(environments);
    expect(api.getEnvironments).toHaveBeenCalledTimes(2);
  });

  it('asks again once the answer is older than the maximum age, or on reload', async () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
    const api = fakeApi();
    await loadApimEnvironments(api);
    now.mockReturnValue(1_000_000 + ENVIRONMENTS_MAX_AGE_MS - 1);
    await loadApimEnvironments(api);
    expect(api.getEnvironments).toHaveBeenCalledTimes(1);
    now.mockReturnValue(1_000_000 + ENVIRONMENTS_MAX_AGE_MS);
    await loadApimEnvironments(api);
    expect(api.getEnvironments).toHaveBeenCalledTimes(2);
    await loadApimEnvironments(api, { reload: true });
    expect(api.getEnvironments).toHaveBeenCalledTimes(3);
  });
});

function Titles(props: { label: string }) {
  const { value, error, retry } = useApimEnvironments();
  if (error) {
    return (
      <button type="button" onClick={retry}>
        {props.label}: retry
      </button>
    );
  }
  return (
    <p>
      {props.label}: {value?.map(e => e.title).join(', ') ?? 'loading'}
    </p>
  );
}

describe('useApimEnvironments', () => {
  it('serves every component of a page from one request', async () => {
    const api = fakeApi();
    await renderWithApi(
      <>
        <Titles label="one" />
        <Titles label="two" />
        <Titles label="three" />
      </>,
      { api },
    );
    expect(
      await screen.findByText('three: Sandbox, Production'),
    ).toBeInTheDocument();
    expect(screen.getByText('one: Sandbox, Production')).toBeInTheDocument();
    expect(api.getEnvironments).toHaveBeenCalledTimes(1);
  });

  it('retry asks the backend again', async () => {
    const api = fakeApi({
      getEnvironments: jest
        .fn()
        .mockRejectedValueOnce(
          await responseError(503, 'ServiceUnavailableError', 'down'),
        )
        .mockResolvedValue(environments),
    });
    await renderWithApi(<Titles label="one" />, { api });
    await userEvent.click(
      await screen.findByRole('button', { name: 'one: retry' }),
    );
    expect(
      await screen.findByText('one: Sandbox, Production'),
    ).toBeInTheDocument();
    expect(api.getEnvironments).toHaveBeenCalledTimes(2);
  });
});
