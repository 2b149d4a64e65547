/**
 * Request schemas of the REST API, shared by the backend (which enforces them), the frontend
 * (inline field errors) and the scaffolder actions (input checks before any call).
 */
import { z } from 'zod/v4';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES } from './constants';
import { canonicalEntityRef } from './entityRefs';

// Printable text only: control characters (including newlines) never belong in these fields and
// would end up in logs and CSV exports.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

const printable = (field: string, max: number) =>
  z
    .string({ error: `${field} must be a string` })
    .min(1, { error: `${field} must not be empty` })
    .max(max, { error: `${field} must be at most ${max} characters` })
    .refine(v => !CONTROL_CHARS.test(v), {
      error: `${field} must not contain control characters`,
    });

/**
 * An OAuth2 client id as issued by WSO2 IS, Keycloak, Okta, Entra ID...
 *
 * @public
 */
export const consumerKeySchema = printable('consumerKey', 255).refine(
  v => v.trim() === v && !/\s/.test(v),
  { error: 'consumerKey must not contain whitespace' },
);

/** @public */
export const consumerSecretSchema = printable('consumerSecret', 1024);

/** @public */
export const environmentIdSchema = z
  .string({ error: 'environment must be a string' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, {
    error:
      'environment must be an environment id: letters, digits, "-" and "_", at most 63 characters',
  });

/** @public */
export const keyManagerNameSchema = z
  .string({ error: 'keyManager must be a string' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/, {
    error:
      'keyManager must be a key manager name: letters, digits, spaces, ".", "-" and "_", at most 100 characters',
  });

/** Entity refs are compared in lower case (see canonicalEntityRef), so path parts are folded too. */
const lowerCase = (value: string) => value.toLocaleLowerCase('en-US');

/**
 * Path parameters of `/entities/:kind/:namespace/:name/...` (Backstage entity naming rules, in
 * any case: `Component/Default/Orders-Service` is accepted). Parsed values are lower-case, so
 * `stringifyEntityRef` of them is the canonical ref.
 *
 * @public
 */
export const entityPathSchema = z.object({
  kind: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{0,62}$/, {
      error: 'kind must be an entity kind such as "component"',
    })
    .transform(lowerCase),
  namespace: z
    .string()
    .regex(/^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/, {
      error: 'namespace must be an entity namespace such as "default"',
    })
    .max(63, { error: 'namespace must be at most 63 characters' })
    .transform(lowerCase),
  name: z
    .string()
    .regex(/^[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*$/, {
      error: 'name must be an entity name (letters, digits, "-", "_" and ".")',
    })
    .max(63, { error: 'name must be at most 63 characters' })
    .transform(lowerCase),
});

/** @public */
export const cellPathSchema = entityPathSchema.extend({
  environment: environmentIdSchema,
  keyManager: keyManagerNameSchema,
});

/**
 * Body of `PUT .../credentials/:environment/:keyManager`.
 *
 * @public
 */
export const provisionRequestSchema = z.strictObject(
  {
    consumerKey: consumerKeySchema,
    consumerSecret: consumerSecretSchema,
    verify: z.boolean({ error: 'verify must be true or false' }).optional(),
  },
  {
    error: iss =>
      iss.code === 'unrecognized_keys'
        ? undefined
        : 'the body must be a JSON object',
  },
);
/** @public */
export type ProvisionRequest = z.infer<typeof provisionRequestSchema>;

/**
 * Body of `POST /verify`.
 *
 * @public
 */
export const verifyRequestSchema = z.strictObject(
  {
    environment: environmentIdSchema,
    keyManager: keyManagerNameSchema,
    consumerKey: consumerKeySchema,
    consumerSecret: consumerSecretSchema,
  },
  {
    error: iss =>
      iss.code === 'unrecognized_keys'
        ? undefined
        : 'the body must be a JSON object',
  },
);
/** @public */
export type VerifyRequest = z.infer<typeof verifyRequestSchema>;

/**
 * A full entity ref, `kind:namespace/name` in any case (filters, and the entityRef of POST
 * /verify); the parsed value is its canonical lower-case form (see canonicalEntityRef), so a
 * filter finds the rows whatever case the caller typed.
 *
 * @public
 */
export const entityRefSchema = z
  .string({ error: 'entityRef must be a string' })
  .regex(
    /^[A-Za-z][A-Za-z0-9]{0,62}:[A-Za-z0-9-]{1,63}\/[A-Za-z0-9_.-]{1,63}$/,
    {
      error:
        'entityRef must be a full entity ref such as "component:default/orders-service"',
    },
  )
  .transform(ref => canonicalEntityRef(ref));

const isoDateSchema = (field: string) =>
  z.iso.datetime({
    offset: true,
    error: `${field} must be an ISO 8601 date-time, e.g. 2026-11-27T10:00:00Z`,
  });

const limitSchema = z.coerce
  .number({ error: 'limit must be a number' })
  .int({ error: 'limit must be a whole number' })
  .min(1, { error: 'limit must be at least 1' })
  .max(500, { error: 'limit must be at most 500' })
  .default(50);

const cursorSchema = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, {
  error: 'cursor must be a cursor returned by a previous page',
});

/**
 * Filters of `GET /audit` and `GET /audit/export`.
 *
 * @public
 */
export const auditQuerySchema = z.strictObject({
  entityRef: entityRefSchema.optional(),
  environment: environmentIdSchema.optional(),
  actor: entityRefSchema.optional(),
  action: z
    .enum(AUDIT_ACTIONS, {
      error: `action must be one of ${AUDIT_ACTIONS.join(', ')}`,
    })
    .optional(),
  outcome: z
    .enum(AUDIT_OUTCOMES, {
      error: `outcome must be one of ${AUDIT_OUTCOMES.join(', ')}`,
    })
    .optional(),
  since: isoDateSchema('since').optional(),
  until: isoDateSchema('until').optional(),
  limit: limitSchema,
  cursor: cursorSchema.optional(),
});
/** @public */
export type AuditQuery = z.input<typeof auditQuerySchema>;
/** @public */
export type ParsedAuditQuery = z.output<typeof auditQuerySchema>;

/**
 * Filters of `GET /mappings`. `consumerKey` answers "who holds this client?" (exact match: a
 * consumer key is an identifier, not a search term); `state: drifted` lists what the drift job
 * flagged (issue 14 item 3).
 *
 * @public
 */
export const mappingsQuerySchema = z.strictObject({
  environment: environmentIdSchema.optional(),
  keyManager: keyManagerNameSchema.optional(),
  entityRef: entityRefSchema.optional(),
  consumerKey: consumerKeySchema.optional(),
  state: z
    .enum(['active', 'drifted'], { error: 'state must be active or drifted' })
    .optional(),
  limit: limitSchema,
  cursor: cursorSchema.optional(),
});
/** @public */
export type MappingsQuery = z.input<typeof mappingsQuerySchema>;
/** @public */
export type ParsedMappingsQuery = z.output<typeof mappingsQuerySchema>;

/**
 * The top-level fields of the schema a validation error is about (`["actor", "since"]`), in the
 * order of its issues. Unknown keys are left out: a key is the caller's text, and could be a
 * secret pasted in the wrong place. Names only, never a value: the backend sends them as
 * `error.fields` so that a form shows the error under the field without reading the message.
 *
 * @public
 */
export function zodErrorFields(error: z.ZodError): string[] {
  const fields = new Set<string>();
  for (const issue of error.issues) {
    if (issue.code !== 'unrecognized_keys' && typeof issue.path[0] === 'string')
      fields.add(issue.path[0]);
  }
  return [...fields];
}

/**
 * Turns a zod error into one sentence naming every offending field.
 *
 * @public
 */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map(issue => {
      if (issue.code === 'unrecognized_keys') {
        return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys
          .map(k => `"${k}"`)
          .join(', ')}`;
      }
      const path = issue.path.join('.');
      if (issue.code === 'invalid_type' && issue.input === undefined && path) {
        return `${path} is required`;
      }
      return issue.message.startsWith(path) || !path
        ? issue.message
        : `${path}: ${issue.message}`;
    })
    .join('; ');
}
