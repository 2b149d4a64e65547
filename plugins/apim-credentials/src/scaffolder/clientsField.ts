/**
 * The `ApimClientsPicker` field (issue 15 item 2): one OAuth2 client per selected environment.
 * One client cannot be both the SANDBOX and the PRODUCTION key of one API-M application
 * (CONTRACT.md 14, `OTHER_KEY_TYPE`), so a template that lets people tick several environments
 * asks for a client in each. Its value is what `apim:credentials:provision` takes as `clients`;
 * the secrets never enter it: each goes into the task's secrets (the channel the scaffolder keeps
 * out of the stored task spec) under the name the entry carries as `secretName`.
 */
import {
  makeFieldSchema,
  type CustomFieldValidator,
} from '@backstage/plugin-scaffolder-react';
import { consumerKeySchema } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { apimCredentialsApiRef } from '../api';
import { loadApimEnvironments } from '../hooks/useApimEnvironments';
import { asStringArray } from './keyManagerOptions';
import {
  DEFAULT_ENVIRONMENTS_FIELD,
  formPropertyOption,
} from './keyManagerField';

/**
 * The `ui:field` name of the clients picker.
 *
 * @public
 */
export const APIM_CLIENTS_PICKER = 'ApimClientsPicker';

/** Prefix of the task secret that holds one environment's consumer secret. */
export const CLIENT_SECRET_PREFIX = 'apimConsumerSecret_';

/**
 * The name of the task secret holding the consumer secret for `environment`.
 *
 * @public
 */
export function clientSecretName(environment: string): string {
  return `${CLIENT_SECRET_PREFIX}${environment}`;
}

/**
 * One environment's client as the field returns it. `secretName` is present only once a secret
 * was typed for that environment (so the field's validation can ask for it by name).
 *
 * @public
 */
export interface ApimClientEntry {
  environment: string;
  consumerKey: string;
  secretName?: string;
}

/**
 * The `ui:options` of the clients picker.
 *
 * @public
 */
export type ApimClientsPickerUiOptions = {
  /** Form property with the selected environment ids; defaults to `environments`. */
  environmentsField?: string;
  /**
   * Form property with the component's entity ref (an EntityPicker); when set, the field shows
   * what is already mapped for it in each selected environment.
   */
  entityField?: string;
  /** Form property with the chosen key manager; narrows "already mapped" to that one. */
  keyManagerField?: string;
};

/**
 * What the clients picker returns and its `ui:options`. Declare the property as an array of
 * objects with `environment`, `consumerKey` and `secretName` strings, so the scaffolder backend
 * validates it too, and pass it to the action as `clients: ${{ parameters.clients }}`.
 *
 * @public
 */
export const apimClientsPickerSchema = makeFieldSchema({
  output: z =>
    z.array(
      z.object({
        environment: z.string(),
        consumerKey: z.string(),
        secretName: z.string().optional(),
      }),
    ),
  uiOptions: z =>
    z.object({
      environmentsField: formPropertyOption(
        z,
        `Name of the form property holding the selected environment ids; defaults to "${DEFAULT_ENVIRONMENTS_FIELD}"`,
      ),
      entityField: formPropertyOption(
        z,
        "Name of the form property holding the component's entity ref; shows what is already mapped for it",
      ),
      keyManagerField: formPropertyOption(
        z,
        'Name of the form property holding the key manager; narrows what is shown as mapped',
      ),
    }),
});

/** The entries of a form value that look like clients; anything else is dropped. */
export function clientEntriesOf(value: unknown): ApimClientEntry[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap(v =>
    v && typeof v === 'object' && typeof v.environment === 'string'
      ? [
          {
            environment: v.environment,
            consumerKey: typeof v.consumerKey === 'string' ? v.consumerKey : '',
            ...(typeof v.secretName === 'string' && v.secretName
              ? { secretName: v.secretName }
              : {}),
          },
        ]
      : [],
  );
}

/** The selected environment ids, read from the sibling field named in `ui:options`. */
export function selectedEnvironmentsOf(
  formData: Record<string, unknown> | undefined,
  uiOptions: ApimClientsPickerUiOptions | undefined,
): string[] {
  const field = uiOptions?.environmentsField || DEFAULT_ENVIRONMENTS_FIELD;
  return [...new Set(asStringArray(formData?.[field]))];
}

/**
 * One client per selected environment, each with a valid consumer key and a secret, and no
 * client given as both the SANDBOX and the PRODUCTION key of one API-M instance (the
 * environments come from the backend; when it cannot be asked, the action checks again).
 * Messages name the environment by its title.
 *
 * @public
 */
export const validateApimClients: CustomFieldValidator<
  ApimClientEntry[],
  ApimClientsPickerUiOptions
> = async (value, validation, { apiHolder, formData, uiSchema }) => {
  const selected = selectedEnvironmentsOf(formData, uiSchema?.['ui:options']);
  if (selected.length === 0) {
    validation.addError('Select the environments first');
    return;
  }
  const api = apiHolder.get(apimCredentialsApiRef);
  // The titles and the key-type check need the environments; without them (no client in this
  // app, or the backend is down) the keys and secrets are still checked, and the action again.
  const known = api
    ? await loadApimEnvironments(api).catch(() => undefined)
    : undefined;
  const titleOf = (id: string) => known?.find(e => e.id === id)?.title ?? id;
  const entries = clientEntriesOf(value);
  for (const environment of selected) {
    const entry = entries.find(e => e.environment === environment);
    const title = titleOf(environment);
    if (!entry?.consumerKey) {
      validation.addError(`Enter the consumer key for ${title}`);
      continue;
    }
    if (!consumerKeySchema.safeParse(entry.consumerKey).success) {
      validation.addError(
        `The consumer key for ${title} must be one word of printable characters, without spaces`,
      );
    }
    if (!entry.secretName) {
      validation.addError(`Enter the consumer secret for ${title}`);
    }
  }
  if (!known) return;
  selected.forEach((environment, i) => {
    const key = entries.find(e => e.environment === environment)?.consumerKey;
    const env = known!.find(e => e.id === environment);
    if (!key || !env) return;
    const clash = selected.slice(0, i).find(other => {
      const o = known!.find(e => e.id === other);
      return (
        entries.find(e => e.environment === other)?.consumerKey === key &&
        o?.instance === env.instance &&
        o.keyType !== env.keyType
      );
    });
    if (clash) {
      validation.addError(
        `${env.title} and ${titleOf(
          clash,
        )} share one API-M application, so one client cannot be the key of both: give ${
          env.title
        } its own client`,
      );
    }
  });
};
