/**
 * How the actions handle the consumer secret (PRODUCT.md sections 6 and 10): it must arrive
 * through the template's `secrets`, it is registered with the redacting task logger, and it is
 * scrubbed from any text the actions emit. Otherwise it only travels in the body of the `PUT` to
 * the apim-credentials backend.
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';

/**
 * Entries the scaffolder adds to every task's secrets itself (the router merges them over the
 * user's secrets). They are credentials of the user, not values a template author provided: a
 * `consumerSecret` equal to one of them would send the user's Backstage token to a key manager.
 * Names starting with `__` are reserved by the scaffolder for the same purpose.
 */
const SCAFFOLDER_OWN_SECRETS: ReadonlySet<string> = new Set([
  'backstageToken',
  'initiatorCredentials',
  '__initiatorCredentials',
]);

/** Whether a task secret is one the scaffolder adds itself (the user's credentials). */
export function isScaffolderOwnSecret(name: string): boolean {
  return SCAFFOLDER_OWN_SECRETS.has(name) || name.startsWith('__');
}

/** What the Secret field leaves in `parameters`: the value replaced by asterisks. */
function isMasked(value: string): boolean {
  return value.length > 0 && [...value].every(c => c === '*');
}

/**
 * The secret must come from the template's `secrets`, the only channel the scaffolder keeps out
 * of the stored task spec (issue 10, item 4). A value typed into `parameters` or written into the
 * template is stored with the task, where everyone who may read tasks can read it; so the action
 * refuses it before it calls anything.
 *
 * Throws an `InputError` naming `secrets.<field>` unless `value` is exactly the value of one of
 * the template's own secrets (`ctx.secrets` without the scaffolder's entries, see above).
 * A value of only asterisks is refused with its own message: it is what a `ui:field: Secret`
 * parameter holds in `parameters`, so the template reads the masked copy instead of the secret.
 * The messages never contain the value.
 *
 * @param field - the action input, e.g. `consumerSecret`
 * @param value - the input's value as the action received it
 * @param secrets - `ctx.secrets` (undefined when the scaffolder passed none)
 */
export function requireTemplateSecret(
  field: string,
  value: string,
  secrets: Record<string, string> | undefined,
): void {
  const how = `Pass it as \${{ secrets.${field} }}: a parameter with "ui:field: Secret" (the form puts its value into the task's secrets) declared under spec.secrets of the template`;
  if (isMasked(value)) {
    throw new InputError(
      `${field} is a masked value (only asterisks): the template passes the form's masked copy of a Secret field (\${{ parameters.<name> }}) instead of the secret. ${how}. Nothing was sent`,
    );
  }
  const fromTemplateSecrets = Object.entries(secrets ?? {}).some(
    ([name, secret]) => !isScaffolderOwnSecret(name) && secret === value,
  );
  if (!fromTemplateSecrets) {
    throw new InputError(
      `${field} does not come from the template's secrets. ${how}. A value from parameters or written into the template is stored with the task, where anyone who may read tasks can read it; nothing was sent`,
    );
  }
}

/**
 * Tells the task logger (the scaffolder's redacting logger, when it is the one we got) to mask
 * these values too. The scaffolder masks the template's secrets itself; this also covers a value
 * that {@link requireTemplateSecret} is about to refuse, so the refusal cannot leak it.
 */
export function registerSensitive(
  logger: LoggerService,
  values: Array<string | undefined>,
): void {
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

/**
 * Replaces every occurrence of the given values by `***`: a backend message that ever echoed the
 * secret must not carry it into the task log or the step's error.
 */
export function scrub(text: string, values: Array<string | undefined>): string {
  let result = text;
  for (const value of values) {
    if (value) result = result.split(value).join('***');
  }
  return result;
}
