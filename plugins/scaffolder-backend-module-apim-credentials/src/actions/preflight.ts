/**
 * The pre-flight check against `GET /environments`: every requested environment and the key
 * manager are checked before the first one changes, so a typo in the second environment does not
 * leave the first one mapped. When the list cannot be read, the backend checks each environment
 * itself, so the pre-flight is skipped with a warning rather than failing the step.
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import { InputError, isError } from '@backstage/errors';
import { Cell, describeCell } from './cell';
import { CellFailure, describeFailure, toError } from './failures';
import type {
  ApimCredentialsClient,
  EnvironmentInfo,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';

/**
 * The environments the backend serves, or `undefined` (after a warning) when it could not be
 * asked: a failing list must not stop a provisioning the backend can still check.
 */
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

function keyManagerOffer(env: EnvironmentInfo): string {
  const allowed = env.keyManagers
    .filter(k => k.mappingAllowed)
    .map(k => `"${k.name}"`);
  return allowed.length
    ? `Key managers that allow mapping there: ${allowed.join(', ')}`
    : 'No key manager allows mapping there';
}

/**
 * Checks the environment ids and the key manager against the backend's list.
 *
 * @param known - from {@link fetchEnvironments}; `undefined` skips the check
 * @throws InputError naming the unknown environments (and the configured ones), or the key
 * manager and the environments that do not offer or allow it (and the ones they do allow)
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
    const env = byId.get(id);
    if (!env) continue; // unknown ids were refused above
    if (env.error) {
      logger.warn(
        `Environment "${id}": its API-M instance could not list key managers (${env.error}); the backend checks the key manager when provisioning`,
      );
      continue;
    }
    const km = env.keyManagers.find(k => k.name === keyManager);
    if (!km) {
      problems.push(
        `Key manager "${keyManager}" is not available in environment "${id}". ${keyManagerOffer(
          env,
        )}`,
      );
    } else if (!km.mappingAllowed) {
      problems.push(
        `Key manager "${keyManager}" is not allowed in environment "${id}"${
          km.reason ? `: ${km.reason}` : ''
        }. ${keyManagerOffer(env)}`,
      );
    }
  }
  if (problems.length > 0) throw new InputError(problems.join('. '));
}

/**
 * The pre-flight of a step with several environments: every cell is checked (the problems found
 * locally, then the backend's dry run, which checks permission, key manager, application,
 * verification and conflicts with what API-M holds) before the first one changes.
 *
 * @throws the step's error (see `toError`) listing each environment that cannot go ahead and
 *   saying that nothing was changed
 */
export async function checkEveryEnvironment(options: {
  entityRef: string;
  keyManager: string;
  environments: string[];
  problems: Map<string, string>;
  sensitive: string[];
  check: (cell: Cell) => Promise<unknown>;
}): Promise<void> {
  const { entityRef, keyManager, problems } = options;
  const failures: Array<{ environment: string; failure: CellFailure }> = [];
  const ready: Array<{ environment: string; status: string }> = [];
  for (const environment of options.environments) {
    const cell = { entityRef, environment, keyManager };
    const problem = problems.get(environment);
    if (problem) {
      failures.push({
        environment,
        failure: {
          kind: 'conflict',
          message: `${describeCell(cell)}: conflict: ${problem}`,
        },
      });
      continue;
    }
    try {
      await options.check(cell);
      ready.push({ environment, status: 'ready' });
    } catch (error) {
      failures.push({
        environment,
        failure: describeFailure(error, cell, 'provision', options.sensitive),
      });
    }
  }
  if (failures.length > 0) {
    throw toError(failures, ready, 'provision', {
      entityRef,
      changedNothing: true,
    });
  }
}
