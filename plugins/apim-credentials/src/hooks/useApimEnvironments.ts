import { useCallback, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import type {
  ApimCredentialsApi,
  EnvironmentInfo,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { apimCredentialsApiRef } from '../api';

/**
 * How long one `GET /environments` answer serves every caller of the same API instance. Long
 * enough for one page (the tab's cards, both template pickers and the key manager validation on
 * "Next"), short enough that a later visit sees a key manager an admin has since disabled.
 */
export const ENVIRONMENTS_MAX_AGE_MS = 30_000;

type Entry = { promise: Promise<EnvironmentInfo[]>; loadedAt: number };

// Keyed by the API instance, so an app (or a test) with its own client gets its own cache and a
// client that is gone takes its cache with it.
const cache = new WeakMap<Pick<ApimCredentialsApi, 'getEnvironments'>, Entry>();

/**
 * The configured environments with their key managers (`GET /environments`), one request shared
 * by everything on a page that asks the same API instance within {@link ENVIRONMENTS_MAX_AGE_MS}.
 * A failed request is not kept: the next caller asks again.
 *
 * @param api - the apim-credentials client (from `apimCredentialsApiRef`)
 * @param options - `reload: true` drops a cached answer first (after the user asks to retry)
 * @returns the backend's environments; rejects with the client's `ResponseError`
 */
export function loadApimEnvironments(
  api: Pick<ApimCredentialsApi, 'getEnvironments'>,
  options?: { reload?: boolean },
): Promise<EnvironmentInfo[]> {
  const now = Date.now();
  const cached = cache.get(api);
  if (
    cached &&
    !options?.reload &&
    now - cached.loadedAt < ENVIRONMENTS_MAX_AGE_MS
  ) {
    return cached.promise;
  }
  const promise = api.getEnvironments();
  const entry = { promise, loadedAt: now };
  cache.set(api, entry);
  promise.catch(() => {
    if (cache.get(api) === entry) cache.delete(api);
  });
  return promise;
}

/**
 * The environments for a component: `{ value, loading, error, retry }`, from the shared
 * {@link loadApimEnvironments} request of the app's apim-credentials API. `retry` asks the
 * backend again.
 */
export function useApimEnvironments() {
  const api = useApi(apimCredentialsApiRef);
  const [attempt, setAttempt] = useState(0);
  const state = useAsync(
    () => loadApimEnvironments(api, { reload: attempt > 0 }),
    [api, attempt],
  );
  const retry = useCallback(() => setAttempt(a => a + 1), []);
  return { ...state, retry };
}
