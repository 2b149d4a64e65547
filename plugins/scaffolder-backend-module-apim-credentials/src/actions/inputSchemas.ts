/**
 * Input schema parts that more than one action declares the same way, so that a template sees
 * one description and one range for them whichever action it calls.
 */
import type { createTemplateAction } from '@backstage/plugin-scaffolder-node';

type SchemaInputs = NonNullable<
  NonNullable<Parameters<typeof createTemplateAction>[0]['schema']>['input']
>;

/**
 * The zod the scaffolder hands to each `schema.input` builder (`zod/v3`), taken from
 * `createTemplateAction`'s own signature so that this module needs no zod dependency of its own.
 */
type Zod = Parameters<Extract<SchemaInputs, (z: never) => unknown>>[0];

/**
 * `waitForEntity`: seconds (a whole number, 0 to 900, optional) to wait for the entity to be in
 * the catalog before the step calls the backend; applied by `entityPendingForStep`.
 */
export const waitForEntityInput = (z: Zod) =>
  z
    .number({
      description:
        'Seconds to wait for the entity to appear in the catalog, for an entity an earlier catalog:register step just added (0 or absent: do not wait)',
    })
    .int()
    .min(0)
    .max(900)
    .optional();

/**
 * `entityRef`: the catalog entity the step acts for (required); read with `normaliseEntityRef`,
 * which lets the kind and namespace default.
 *
 * @param what - what the entity is to the action (`whose API-M application gets the client`), if
 *   anything needs saying
 */
export const entityRefInput = (what?: string) => (z: Zod) =>
  z.string({
    description: `The catalog entity${
      what ? ` ${what}` : ''
    }, e.g. component:default/orders-service (kind defaults to component, namespace to default)`,
  });

/**
 * `environments`: one environment id or a non-empty list of them (required); read with
 * `normaliseEnvironments`.
 */
export const environmentsInput = (z: Zod) =>
  z.union([z.string(), z.array(z.string()).min(1)], {
    description: 'One environment id or a list of them',
  });
