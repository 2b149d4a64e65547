/**
 * The pre-flight check against `GET /environments`: every requested environment and the key
 * manager are checked before the first one changes, so a typo in the second environment does not
 * leave the first one mapped. When the list cannot be read, the backend checks each environment
 * itself, so the pre-flight is skipped with a warning rather than failing the step.
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import { InputError, isError } from '@backstage/errors';
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
