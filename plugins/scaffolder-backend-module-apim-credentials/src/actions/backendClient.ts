/**
 * The way to the apim-credentials backend: its typed REST client from `-common` (so there is one
 * implementation of the REST contract, PRODUCT.md section 5) and a plugin request token issued
 * on behalf of the template's user, so the backend authorises and audits that user, with the
 * scaffolder as the path it came through.
 */
import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  APIM_CREDENTIALS_PLUGIN_ID,
  ApimCredentialsClient,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';

/**
 * A `fetch` with the signature of the global one; injectable for tests and custom transports.
 *
 * @public
 */
export type FetchLike = (
  input: string,
  init?: RequestInit,
) => Promise<Response>;

/**
 * What the action factories need; the module passes core services, tests pass mocks.
 *
 * @public
 */
export interface ApimCredentialsActionOptions {
  /** Issues the plugin request token on behalf of the template's user. */
  auth: AuthService;
  /** Finds the apim-credentials backend (`/api/apim-credentials`). */
  discovery: DiscoveryService;
  /** Used only by `waitForEntity`; without it that input is rejected. */
  catalog?: CatalogService;
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
}

/**
 * The REST client. Failed calls reject with the client's `ApimCredentialsResponseError`
 * (status and stable `code`, see `failures.ts`); network failures with the fetch error.
 */
export function createClient(
  options: ApimCredentialsActionOptions,
): ApimCredentialsClient {
  return new ApimCredentialsClient({
    discoveryApi: options.discovery,
    fetchApi: options.fetch ? { fetch: options.fetch } : undefined,
  });
}

/** The options of every request a step sends: the user's token, the task, its cancel signal. */
export type TaskRequestOptions = {
  token: string;
  taskId: string;
  signal?: AbortSignal;
};

/**
 * What a step calls the backend with: the REST client (`createClient`) and the options of every
 * request, with a token issued on behalf of the task's initiator (`getToken`).
 *
 * @throws the auth service's error when it cannot issue the token
 */
export async function connectForTask(
  options: ApimCredentialsActionOptions,
  credentials: BackstageCredentials,
  task: { taskId: string; signal?: AbortSignal },
): Promise<{
  client: ApimCredentialsClient;
  requestOptions: TaskRequestOptions;
}> {
  const token = await getToken(options.auth, credentials);
  const client = createClient(options);
  return {
    client,
    requestOptions: { token, taskId: task.taskId, signal: task.signal },
  };
}

/**
 * A token for the apim-credentials plugin on behalf of the task's initiator. Never the
 * scaffolder's own identity: the backend must decide on the user's permissions.
 */
export async function getToken(
  auth: AuthService,
  credentials: BackstageCredentials,
): Promise<string> {
  const { token } = await auth.getPluginRequestToken({
    onBehalfOf: credentials,
    targetPluginId: APIM_CREDENTIALS_PLUGIN_ID,
  });
  return token;
}
