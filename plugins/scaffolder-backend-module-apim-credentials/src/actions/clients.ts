/**
 * Which client goes into which environment (issue 15 item 2). One OAuth2 client cannot be both
 * the SANDBOX and the PRODUCTION key of one API-M application (CONTRACT.md 14, `OTHER_KEY_TYPE`),
 * so a template asks for one client per environment: `clients: [{ environment, consumerKey,
 * secretName }]`, each secret read from the task's secrets by its name, so the value never passes
 * through parameters or the rendered step input. The older shape (one `consumerKey` and
 * `consumerSecret` for all `environments`) is still accepted, and checked up front (see
 * `checkOneClientPerKeyType` in `preflight.ts`).
 */
import { InputError } from '@backstage/errors';
import type { EnvironmentInfo } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import {
  checkConsumerKey,
  checkConsumerSecret,
  normaliseEnvironments,
} from './inputs';
import { isScaffolderOwnSecret, requireTemplateSecret } from './secret';

/** One environment's client as a template gives it; the secret only by name. */
export interface ClientInput {
  environment: string;
  consumerKey: string;
  /** Name of the task secret (a key of the template's `secrets`) holding the consumer secret. */
  secretName: string;
}

/** One environment's client, secret resolved: lives in memory for the step only. */
export interface EnvironmentClient {
  environment: string;
  consumerKey: string;
  consumerSecret: string;
}

/**
 * The clients of a provisioning step, one per environment, in the template's order.
 *
 * @throws InputError naming `clients`, `environments`, `consumerKey` or `consumerSecret` when
 *   the two shapes are mixed or neither is complete, an environment appears twice, or a named
 *   secret is missing from the task's secrets (the message names the secret, never a value)
 */
export function resolveClients(
  input: {
    clients?: ClientInput[];
    environments?: string | string[];
    consumerKey?: string;
    consumerSecret?: string;
  },
  secrets: Record<string, string> | undefined,
): EnvironmentClient[] {
  if (input.clients !== undefined) {
    if (
      input.environments !== undefined ||
      input.consumerKey !== undefined ||
      input.consumerSecret !== undefined
    ) {
      throw new InputError(
        'Give either clients (one client per environment) or environments with consumerKey and consumerSecret, not both',
      );
    }
    if (input.clients.length === 0) {
      throw new InputError('clients must name at least one environment');
    }
    const environments = normaliseEnvironments(
      input.clients.map(c => c.environment),
    );
    if (environments.length !== input.clients.length) {
      throw new InputError(
        'clients: each environment may appear once (one client per environment)',
      );
    }
    return input.clients.map((c, i) => {
      const secretName = c.secretName.trim();
      const value =
        secretName && !isScaffolderOwnSecret(secretName)
          ? secrets?.[secretName]
          : undefined;
      if (value === undefined || value === '') {
        throw new InputError(
          `clients[${i}] (environment "${environments[i]}"): the task has no secret "${c.secretName}". Declare it under spec.secrets of the template and let the form fill it (the ApimClientsPicker field does); nothing was sent`,
        );
      }
      return {
        environment: environments[i],
        consumerKey: checkConsumerKey(c.consumerKey),
        consumerSecret: checkConsumerSecret(value),
      };
    });
  }
  if (
    input.environments === undefined ||
    input.consumerKey === undefined ||
    input.consumerSecret === undefined
  ) {
    throw new InputError(
      'Give clients (one client per environment), or environments with consumerKey and consumerSecret',
    );
  }
  const environments = normaliseEnvironments(input.environments);
  const consumerKey = checkConsumerKey(input.consumerKey);
  checkConsumerSecret(input.consumerSecret);
  // Before any call: a secret from parameters is already stored with the task spec.
  requireTemplateSecret('consumerSecret', input.consumerSecret, secrets);
  return environments.map(environment => ({
    environment,
    consumerKey,
    consumerSecret: input.consumerSecret!,
  }));
}

/**
 * Refuses one client for environments that share an API-M instance but differ in key type: API-M
 * would map the first and refuse the second (`OTHER_KEY_TYPE`), leaving the step half done.
 *
 * @param known - from `fetchEnvironments`; `undefined` skips the check (the backend still refuses)
 * @returns one problem per environment that cannot take its client, keyed by environment id
 */
export function oneClientPerKeyType(
  clients: Array<{ environment: string; consumerKey: string }>,
  known: EnvironmentInfo[] | undefined,
): Map<string, string> {
  const problems = new Map<string, string>();
  if (!known) return problems;
  const byId = new Map(known.map(e => [e.id, e]));
  clients.forEach((client, i) => {
    const env = byId.get(client.environment);
    if (!env) return;
    const earlier = clients.slice(0, i).find(other => {
      const o = byId.get(other.environment);
      return (
        other.consumerKey === client.consumerKey &&
        o?.instance === env.instance &&
        o.keyType !== env.keyType
      );
    });
    if (earlier) {
      const o = byId.get(earlier.environment)!;
      problems.set(
        client.environment,
        `client ${client.consumerKey} would already be the ${o.keyType} key in "${o.title}" (same API-M instance); one client cannot be both the ${o.keyType} and the ${env.keyType} key of one application. Give "${env.title}" its own client`,
      );
    }
  });
  return problems;
}
