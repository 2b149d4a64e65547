/**
 * Application bindings (issue 10, item 1): which catalog entity an API-M application belongs to,
 * per instance. The `wso2.com/apim-application` annotation only names an application; the
 * binding, recorded by the backend, decides which entity may act on it.
 */
import { z } from 'zod/v4';
import { entityRefSchema } from './schemas';

/**
 * How a binding came to be: `created` (Backstage created the application for the entity),
 * `bound` (someone holding `apim.applications.bind` bound an existing application), `migrated`
 * (inferred from the mappings recorded before bindings existed).
 *
 * @public
 */
export type BindingOrigin = 'created' | 'bound' | 'migrated';

/** @public */
export interface ApplicationBinding {
  instance: string;
  applicationId: string;
  applicationName: string;
  entityRef: string;
  origin: BindingOrigin;
  /** The user (or migration) that bound it. */
  boundBy: string;
  boundAt: string;
}

/**
 * An application that exists in API-M, is named by at least one entity's annotation, and is
 * bound to none: the platform team decides which entity it belongs to.
 *
 * @public
 */
export interface BindingCandidate {
  instance: string;
  applicationId: string;
  applicationName: string;
  /** The entities whose annotation names it (compared as WSO2 compares names). */
  entityRefs: string[];
}

/**
 * Body of `POST /bindings`: bind the application named so in the instance to the entity.
 *
 * @public
 */
export const bindRequestSchema = z.strictObject(
  {
    instance: z
      .string({ error: 'instance must be a string' })
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, {
        error: 'instance must be an instance id from apimCredentials.instances',
      }),
    applicationName: z
      .string({ error: 'applicationName must be a string' })
      .min(1, { error: 'applicationName must not be empty' })
      .max(100, { error: 'applicationName must be at most 100 characters' }),
    entityRef: entityRefSchema,
  },
  {
    error: iss =>
      iss.code === 'unrecognized_keys'
        ? undefined
        : 'the body must be a JSON object',
  },
);
/** @public */
export type BindRequest = z.infer<typeof bindRequestSchema>;
