/**
 * What a failed map-keys means, release by release (CONTRACT.md 6.5, 14.1), and the two
 * answers that need more than one look:
 * - 400/901403 for a key manager API-M lists as enabled: not loaded yet (about 5 s after it is
 *   added, enabled or updated) or for good when its connector failed. Retried with backoff for a
 *   bounded time (`apimCredentials.retries.keyManagerNotLoaded`), then a 503 saying API-M
 *   has not loaded that key manager.
 * - 500 with WSO2's generic body (`{code:500}`): a transport failure between API-M and the key
 *   manager (refused, DNS, timeout) escaped as an unchecked exception. The backend asks the key
 *   manager itself to tell a wrong secret from a key manager API-M cannot reach.
 */
import type { VerifyResult } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { ApimError } from '../apim/ApimError';
import type { ApimClient } from '../apim/ApimClient';
import type { EnvironmentConfig } from '../config';
import { UpstreamError } from '../errors';
import type { ApimDirectory } from './ApimDirectory';
import { keyManagerRefused } from './disabledKeyManagers';

export type MapKeysFailure =
  /** 400/901403: unknown, disabled or not (yet) loaded key manager. */
  | 'key-manager-refused'
  /** 409/901409: the slot or the client is taken. */
  | 'conflict'
  /** 500/900967: the key manager answered with an error or refused the client. */
  | 'general-error'
  /** 500/500: API-M could not reach the key manager (refused, DNS, timeout). */
  | 'key-manager-unreachable-from-apim'
  | 'other';

/** Classifies an error of `POST .../map-keys` (CONTRACT.md 6.5 as corrected by 14.1). */
export function classifyMapKeysFailure(error: unknown): MapKeysFailure {
  if (!(error instanceof ApimError) || error.kind !== 'http') return 'other';
  if (error.is(400, 901403)) return 'key-manager-refused';
  if (error.is(409)) return 'conflict';
  if (error.is(500, 900967)) return 'general-error';
  // WSO2's generic servlet answer: no WSO2 code, so the code is the status itself.
  if (error.is(500, 500)) return 'key-manager-unreachable-from-apim';
  return 'other';
}

/** How long to wait before the n-th retry (n from 0): 250 ms doubling, at most 2 s. */
export function notLoadedBackoffMs(attempt: number): number {
  return Math.min(250 * 2 ** attempt, 2000);
}

/**
 * Runs map-keys, retrying while API-M answers 400/901403 for a key manager its listing shows as
 * enabled, for at most `budgetMs`.
 *
 * @throws a 400 `KEY_MANAGER_NOT_REGISTERED` when the reloaded listing shows the key manager
 *   disabled or gone; a 503 `KEY_MANAGER_NOT_LOADED` naming the key manager when it still is
 *   refused after the budget; any other error of `call` unchanged.
 */
export async function mapKeysWhenLoaded<T>(
  deps: {
    directory: ApimDirectory;
    client: ApimClient;
    env: EnvironmentConfig;
    keyManager: string;
    budgetMs: number;
    sleep?: (ms: number) => Promise<void>;
  },
  call: () => Promise<T>,
): Promise<T> {
  const sleep =
    deps.sleep ?? ((ms: number) => new Promise(r => setTimeout(r, ms)));
  const started = Date.now();
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (classifyMapKeysFailure(error) !== 'key-manager-refused') throw error;
      const refused = await keyManagerRefused(
        deps.directory,
        deps.client,
        deps.env,
        deps.keyManager,
      );
      // Disabled or gone: retrying cannot help.
      if (!(refused instanceof UpstreamError)) throw refused;
      const delay = notLoadedBackoffMs(attempt);
      const waited = Date.now() - started;
      if (waited + delay > deps.budgetMs) {
        throw new UpstreamError(
          `API-M instance "${deps.env.instance}" has not loaded key manager "${
            deps.keyManager
          }": it lists it as enabled but refused map-keys with WSO2 code 901403 ${
            attempt + 1
          } time(s) over ${Math.round(
            waited / 1000,
          )} s. API-M loads a key manager a few seconds after it is added, enabled or updated; if this persists, its connector failed to load: an API-M admin should check API-M's server log for that key manager. Nothing was mapped; retrying later is safe.`,
          503,
          'KEY_MANAGER_NOT_LOADED',
          error,
        );
      }
      await sleep(delay);
    }
  }
}

/**
 * The error for map-keys answering WSO2's generic 500 (`{code:500}`), after the backend's own
 * check of the credentials at the key manager (`ownCheck`, which must not map anything).
 *
 * @returns the refusal when the key manager refuses the credentials (`refuse` builds it: a wrong
 *   secret stays a 400), otherwise a 502 `KEY_MANAGER_FAILED_BEHIND_APIM` naming the key manager
 *   behind API-M and saying whether the backend could reach it.
 */
export async function keyManagerBehindApimError(
  env: EnvironmentConfig,
  keyManager: string,
  ownCheck: (() => Promise<VerifyResult>) | undefined,
  refuse: (check: VerifyResult) => Error,
  cause: unknown,
): Promise<Error> {
  let seen: string;
  if (!ownCheck) {
    seen =
      'the backend cannot check the key manager itself (API-M lists no usable token endpoint for it)';
  } else {
    try {
      const check = await ownCheck();
      if (!check.ok) return refuse(check);
      seen = 'the backend reached it and it accepts the credentials';
    } catch {
      seen =
        'the backend could not get an answer from it either, so it is probably down';
    }
  }
  return new UpstreamError(
    `API-M instance "${env.instance}" could not reach key manager "${keyManager}" behind it (map-keys answered HTTP 500 with WSO2's generic body, which API-M gives when its connection to the key manager is refused, fails DNS or times out); ${seen}. Check that key manager and API-M's configuration of it (its URLs, and the network from API-M to it). Nothing was mapped; retrying is safe.`,
    502,
    'KEY_MANAGER_FAILED_BEHIND_APIM',
    cause,
  );
}

/**
 * The error of a key listing (`GET .../oauth-keys`) that failed as a whole with WSO2's generic
 * 500 `{code:500}`: what API-M answers when its connection to one of the application's key
 * managers fails (CONTRACT.md 14.1: a transport failure escapes the listing, while a key manager
 * that answers an error only hides its row). Other errors are returned unchanged.
 *
 * @returns a 502 `KEY_MANAGER_FAILED_BEHIND_APIM` naming the application and what to check
 */
export function keyListingFailure(
  error: unknown,
  instanceId: string,
  applicationName: string,
): unknown {
  if (!(error instanceof ApimError) || !error.is(500, 500)) return error;
  return new UpstreamError(
    `API-M instance "${instanceId}" could not list the keys of application "${applicationName}": it answered HTTP 500 with WSO2's generic body, which it gives when its connection to one of the application's key managers is refused, fails DNS or times out. Check the key managers and the network from API-M to them; the mappings are shown again once API-M can list them.`,
    502,
    'KEY_MANAGER_FAILED_BEHIND_APIM',
    error,
  );
}
