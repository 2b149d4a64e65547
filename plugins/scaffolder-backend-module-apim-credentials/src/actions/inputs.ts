/**
 * Input normalisation: every action input is checked with the backend's own zod schemas from
 * `-common` before any call, so a typo fails the step with a message naming the field instead of
 * half-changing several environments. Each function throws an `InputError` (HTTP 400 when the
 * scaffolder reports it) and never puts the consumer secret into a message.
 */
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, isError } from '@backstage/errors';
import {
  consumerKeySchema,
  consumerSecretSchema,
  describeZodError,
  entityPathSchema,
  environmentIdSchema,
  keyManagerNameSchema,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';

const EXAMPLE_REF = 'an entity ref such as "component:default/orders-service"';

/**
 * The entity ref in its `kind:namespace/name` form as the backend's path schema returns it.
 * `component:default/x`, `component:x` and `x` (kind component, namespace default) all work.
 *
 * @throws InputError naming `entityRef` when it is not a ref the catalog could issue
 */
export function normaliseEntityRef(entityRef: string): string {
  let ref;
  try {
    ref = parseEntityRef(entityRef.trim(), {
      defaultKind: 'component',
      defaultNamespace: 'default',
    });
  } catch (e) {
    throw new InputError(
      `entityRef "${entityRef}" is not ${EXAMPLE_REF}: ${
        isError(e) ? e.message : String(e)
      }`,
    );
  }
  // parseEntityRef accepts names the catalog never issues (e.g. "a/b"); the backend's rules decide.
  const checked = entityPathSchema.safeParse(ref);
  if (!checked.success) {
    throw new InputError(
      `entityRef "${entityRef}" is not ${EXAMPLE_REF}: ${describeZodError(
        checked.error,
      )}`,
    );
  }
  return stringifyEntityRef(checked.data);
}

/**
 * One id or a list of them; blanks dropped, duplicates removed, order kept.
 *
 * @throws InputError naming `environments` when none is left or an id is malformed
 */
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

/** @throws InputError naming `keyManager` when it is not a key manager name */
export function checkKeyManager(keyManager: string): string {
  const parsed = keyManagerNameSchema.safeParse(keyManager);
  if (!parsed.success) throw new InputError(describeZodError(parsed.error));
  return keyManager;
}

/** @throws InputError naming `consumerKey` when it is not a client id the backend accepts */
export function checkConsumerKey(consumerKey: string): string {
  const parsed = consumerKeySchema.safeParse(consumerKey);
  if (!parsed.success) throw new InputError(describeZodError(parsed.error));
  return consumerKey;
}

/**
 * @throws InputError naming `consumerSecret` when it is empty, too long or not printable; the
 * schema's messages describe the rule, never the value
 */
export function checkConsumerSecret(consumerSecret: string): string {
  const parsed = consumerSecretSchema.safeParse(consumerSecret);
  if (!parsed.success) throw new InputError(describeZodError(parsed.error));
  return consumerSecret;
}
