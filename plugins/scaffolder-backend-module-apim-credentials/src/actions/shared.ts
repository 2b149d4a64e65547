/**
 * What the two actions share: the client towards the apim-credentials backend (called on behalf
 * of the template's user), input normalisation, the pre-flight check against `/environments`,
 * waiting for a freshly registered entity, and turning backend errors into messages a template
 * author can act on. None of it ever handles the consumer secret other than passing it on in the
 * request body.
 */
import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ResponseError,
  ServiceUnavailableError,
  isError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  APIM_CREDENTIALS_PLUGIN_ID,
  ApimCredentialsClient,
  EnvironmentInfo,
  describeZodError,
  entityPathSchema,
  environmentIdSchema,
  keyManagerNameSchema,
} from '@internal/backstage-plugin-apim-credentials-common';

/** A `fetch` with the signature of the global one; injectable for tests and custom transports. */
export type FetchLike = (
  input: string,
  init?: RequestInit,
) => Promise<Response>;

/** What the action factories need; the module passes core services, tests pass mocks. */
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

/** Non-secret description of a cell, used in messages and checkpoint keys. */
export interface Cell {
  entityRef: string;
  environment: string;
  keyManager: string;
}

export function describeCell(cell: Cell): string {
  return `environment "${cell.environment}" (key manager "${cell.keyManager}")`;
}

/** `component:default/x`, `component:x` and `x` (kind component, namespace default) all work. */
export function normaliseEntityRef(entityRef: string): string {
  let ref;
  try {
    ref = parseEntityRef(entityRef.trim(), {
      defaultKind: 'component',
      defaultNamespace: 'default',
    });
  } catch (e) {
    throw new InputError(
      `entityRef "${entityRef}" is not an entity ref such as "component:default/orders-service": ${
        isError(e) ? e.message : String(e)
      }`,
    );
  }
  // parseEntityRef accepts names the catalog never issues (e.g. "a/b"); the backend's rules decide.
  const checked = entityPathSchema.safeParse(ref);
  if (!checked.success) {
    throw new InputError(
      `entityRef "${entityRef}" is not an entity ref such as "component:default/orders-service": ${describeZodError(
        checked.error,
      )}`,
    );
  }
  return stringifyEntityRef(ref);
}

/** One id or a list; blanks dropped, duplicates removed, order kept; every id checked. */
export function normaliseEnvironments(
  environments: string | string[],
): string[] {
  const list = (Array.isArray(environments) ? environments : [environments])
    .map(e => (typeof e === 'string' ? e.trim() : e))
    .filter(e => e !== '');
  const unique = [...new Set(list)];
  if (unique.length === 0) {
    throw new InputError('environments must name at least one environment id');
  }
  const problems = unique.flatMap(environment => {
    const parsed = environmentIdSchema.safeParse(environment);
    return parsed.success
      ? []
      : [`"${environment}": ${describeZodError(parsed.error)}`];
  });
  if (problems.length > 0) {
    throw new InputError(`environments: ${problems.join('; ')}`);
  }
  return unique;
}

export function checkKeyManager(keyManager: string): string {
  const parsed = keyManagerNameSchema.safeParse(keyManager);
  if (!parsed.success) throw new InputError(describeZodError(parsed.error));
  return keyManager;
}

/**
 * Tells the task logger (the scaffolder's redacting logger, when it is the one we got) to mask
 * these values too. The scaffolder already masks values that came from the template's `secrets`;
 * this also covers a secret an author passed in from `parameters` by mistake.
 */
export function registerSensitive(
  logger: LoggerService,
  values: Array<string | undefined>,
) {
  const redacting = logger as LoggerService & {
    addRedactions?: (redactions: Iterable<string>) => void;
  };
  const sensitive = values.filter(
    (v): v is string => typeof v === 'string' && v !== '',
  );
  if (sensitive.length > 0 && typeof redacting.addRedactions === 'function') {
    redacting.addRedactions(sensitive);
  }
}

/** Removes every occurrence of the given values from a text (belt and braces for messages). */
export function scrub(text: string, values: Array<string | undefined>): string {
  let result = text;
  for (const value of values) {
    if (value) result = result.split(value).join('***');
  }
  return result;
}

export function createClient(
  options: ApimCredentialsActionOptions,
): ApimCredentialsClient {
  return new ApimCredentialsClient({
    discoveryApi: options.discovery,
    fetchApi: options.fetch ? { fetch: options.fetch } : undefined,
  });
}

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

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('The task was cancelled'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      reject(new Error('The task was cancelled'));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Waits until the catalog returns the entity to the template's user. `found: false` after the
 * time is up (the caller decides whether that is an error: in a dry run it is not, since the
 * dry run of `catalog:register` registers nothing).
 */
export async function waitForEntity(options: {
  catalog: CatalogService;
  entityRef: string;
  seconds: number;
  credentials: BackstageCredentials;
  logger: LoggerService;
  signal?: AbortSignal;
  pollMs?: number;
}): Promise<{ found: boolean; waitedMs: number }> {
  const started = Date.now();
  const deadline = started + options.seconds * 1000;
  let delay = options.pollMs ?? 500;
  let announced = false;
  for (;;) {
    const entity = await options.catalog.getEntityByRef(options.entityRef, {
      credentials: options.credentials,
    });
    if (entity) return { found: true, waitedMs: Date.now() - started };
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { found: false, waitedMs: Date.now() - started };
    if (!announced) {
      options.logger.info(
        `Waiting up to ${options.seconds} seconds for ${options.entityRef} to appear in the catalog`,
      );
      announced = true;
    }
    await sleep(Math.min(delay, remaining), options.signal);
    delay = Math.min(delay * 2, 5000);
  }
}

/** The environments the backend serves, or undefined when it could not be asked. */
export async function fetchEnvironments(
  client: ApimCredentialsClient,
  options: { token: string; taskId: string; signal?: AbortSignal },
  logger: LoggerService,
): Promise<EnvironmentInfo[] | undefined> {
  try {
    return await client.getEnvironments(options);
  } catch (e) {
    logger.warn(
      `Could not list the apim-credentials environments up front (${
        isError(e) ? e.message : String(e)
      }); each environment is checked by the backend instead`,
    );
    return undefined;
  }
}

/**
 * Checks every requested environment and the key manager against `/environments` before anything
 * changes, so a typo in the second environment does not leave the first one mapped.
 */
export function preflight(
  environments: string[],
  keyManager: string,
  known: EnvironmentInfo[] | undefined,
  logger: LoggerService,
): void {
  if (!known) return;
  const byId = new Map(known.map(e => [e.id, e]));
  const unknown = environments.filter(e => !byId.has(e));
  if (unknown.length > 0) {
    throw new InputError(
      `Unknown environment${unknown.length > 1 ? 's' : ''} ${unknown
        .map(e => `"${e}"`)
        .join(', ')}. Configured environments: ${
        known.map(e => `"${e.id}" (${e.title})`).join(', ') || 'none'
      }`,
    );
  }
  const problems: string[] = [];
  for (const id of environments) {
    const env = byId.get(id)!;
    if (env.error) {
      logger.warn(
        `Environment "${id}": its API-M instance could not list key managers (${env.error}); the backend checks the key manager when provisioning`,
      );
      continue;
    }
    const km = env.keyManagers.find(k => k.name === keyManager);
    const allowed = env.keyManagers
      .filter(k => k.mappingAllowed)
      .map(k => `"${k.name}"`);
    const offer = allowed.length
      ? `Key managers that allow mapping there: ${allowed.join(', ')}`
      : 'No key manager allows mapping there';
    if (!km) {
      problems.push(
        `Key manager "${keyManager}" is not available in environment "${id}". ${offer}`,
      );
    } else if (!km.mappingAllowed) {
      problems.push(
        `Key manager "${keyManager}" is not allowed in environment "${id}"${
          km.reason ? `: ${km.reason}` : ''
        }. ${offer}`,
      );
    }
  }
  if (problems.length > 0) throw new InputError(problems.join('. '));
}

/** What went wrong in one environment, in the words a template author needs. */
export interface CellFailure {
  kind:
    | 'invalid-input'
    | 'verification-failed'
    | 'key-manager-not-allowed'
    | 'authentication'
    | 'permission-denied'
    | 'not-found'
    | 'conflict'
    | 'apim-unavailable'
    | 'backend-unreachable'
    | 'unexpected';
  status?: number;
  message: string;
}

export function describeFailure(
  error: unknown,
  cell: Cell,
  operation: 'provision' | 'unprovision',
  sensitive: Array<string | undefined>,
): CellFailure {
  const where = describeCell(cell);
  if (ResponseError.is(error)) {
    const status = error.response.status;
    const said = scrub(error.body?.error?.message || error.message, sensitive);
    const name = error.body?.error?.name ?? '';
    let failure: CellFailure;
    if (status === 400) {
      const code = (error.body?.error as { code?: unknown } | undefined)?.code;
      if (
        code === 'VERIFICATION_FAILED' ||
        /verif|credentials (do|did) not work|invalid_client|unauthorized_client/i.test(
          said,
        )
      ) {
        failure = {
          kind: 'verification-failed',
          message: `${where}: verification failed: ${said}. Check the consumer key and secret, and that the client may use the client_credentials grant at that key manager`,
        };
      } else if (/key ?manager/i.test(said)) {
        failure = {
          kind: 'key-manager-not-allowed',
          message: `${where}: ${said}. Choose a key manager the environment allows (GET /api/apim-credentials/environments lists them)`,
        };
      } else {
        failure = {
          kind: 'invalid-input',
          message: `${where}: invalid input: ${said}`,
        };
      }
    } else if (status === 401) {
      failure = {
        kind: 'authentication',
        message: `${where}: the apim-credentials backend did not accept the call on behalf of the template's user: ${said}`,
      };
    } else if (status === 403) {
      failure = {
        kind: 'permission-denied',
        message: `${where}: permission denied: you may not ${operation} API-M credentials for ${cell.entityRef} (permission apim.credentials.provision): ${said}. Ask the entity's owners or your platform team`,
      };
    } else if (status === 404) {
      let hint: string;
      if (/unknown environment/i.test(said)) {
        hint =
          'Use one of the environment ids GET /api/apim-credentials/environments lists';
      } else if (/application/i.test(said)) {
        hint =
          'Create the API-M application first, or leave createApplication unset so the backend may create it';
      } else {
        hint = `If an earlier step registered ${cell.entityRef}, set waitForEntity so the action waits for the catalog`;
      }
      failure = {
        kind: 'not-found',
        message: `${where}: not found: ${said}. ${hint}`,
      };
    } else if (status === 409) {
      failure = {
        kind: 'conflict',
        message: `${where}: conflict: ${said}. Remove the existing mapping first (apim:credentials:unprovision, or "Remove" on the entity's API-M Credentials tab) or provide the client that is already mapped`,
      };
    } else if (status === 502 || status === 503 || status === 504) {
      failure = {
        kind: 'apim-unavailable',
        message: `${where}: API-M or the key manager is unreachable or failing (HTTP ${status}): ${said}. Nothing was changed there; retry the task later, and if it persists ask the platform team to check the API-M instance`,
      };
    } else {
      failure = {
        kind: 'unexpected',
        message: `${where}: the apim-credentials backend answered HTTP ${status}${
          name ? ` ${name}` : ''
        }: ${said}`,
      };
    }
    return { ...failure, status };
  }
  const text = scrub(isError(error) ? error.message : String(error), sensitive);
  return {
    kind: 'backend-unreachable',
    message: `${where}: could not reach the apim-credentials backend: ${text}. Is the apim-credentials backend plugin installed in this Backstage backend?`,
  };
}

/** The error to throw for one or more failed cells, summarising what did succeed. */
/**
 * Runs the operation in each environment in turn, carrying on after a failure so that the
 * template author learns which environments succeeded and which failed (each failure is logged
 * as it happens). The caller emits its outputs and then throws `toError(...)` if any failed.
 */
export async function forEachEnvironment<T>(options: {
  entityRef: string;
  keyManager: string;
  environments: string[];
  operation: 'provision' | 'unprovision';
  logger: LoggerService;
  sensitive?: Array<string | undefined>;
  run: (cell: Cell) => Promise<T>;
}): Promise<{
  succeeded: T[];
  failures: Array<{ environment: string; failure: CellFailure }>;
}> {
  const succeeded: T[] = [];
  const failures: Array<{ environment: string; failure: CellFailure }> = [];
  for (const environment of options.environments) {
    const cell: Cell = {
      entityRef: options.entityRef,
      environment,
      keyManager: options.keyManager,
    };
    try {
      succeeded.push(await options.run(cell));
    } catch (error) {
      const failure = describeFailure(
        error,
        cell,
        options.operation,
        options.sensitive ?? [],
      );
      options.logger.error(failure.message);
      failures.push({ environment, failure });
    }
  }
  return { succeeded, failures };
}

export function toError(
  failures: Array<{ environment: string; failure: CellFailure }>,
  succeeded: Array<{ environment: string; status: string }>,
  operation: 'provision' | 'unprovision',
): Error {
  const done = succeeded.length
    ? ` Succeeded in ${succeeded
        .map(s => `"${s.environment}" (${s.status})`)
        .join(', ')}.`
    : '';
  const failed = failures.map(f => f.failure.message).join('; ');
  const message =
    failures.length === 1 && !succeeded.length
      ? `apim:credentials:${operation} failed in ${failed}`
      : `apim:credentials:${operation} failed in ${failures.length} of ${
          failures.length + succeeded.length
        } environments: ${failed}.${done}`;
  const kinds = new Set(failures.map(f => f.failure.kind));
  if (kinds.size !== 1) return new Error(message);
  switch ([...kinds][0]) {
    case 'invalid-input':
    case 'verification-failed':
    case 'key-manager-not-allowed':
      return new InputError(message);
    case 'permission-denied':
      return new NotAllowedError(message);
    case 'not-found':
      return new NotFoundError(message);
    case 'conflict':
      return new ConflictError(message);
    case 'apim-unavailable':
    case 'backend-unreachable':
      return new ServiceUnavailableError(message);
    default:
      return new Error(message);
  }
}

/** Checkpoint keys: deterministic, built only from non-secret ids. */
export function checkpointKey(
  operation: 'provision' | 'unprovision',
  cell: Cell,
  consumerKey?: string,
) {
  return [
    'apim-credentials',
    operation,
    cell.entityRef,
    cell.environment,
    cell.keyManager,
    ...(consumerKey ? [consumerKey] : []),
  ].join('|');
}
