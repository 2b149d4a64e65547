/**
 * Input validation shared by the REST routes and the actions: the `-common` zod schemas, and a
 * 400 naming each bad field (never echoing the value: it may be a secret; issue 10 item 4).
 */
import { InputError } from '@backstage/errors';
import {
  describeZodError,
  zodErrorFields,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { z } from 'zod/v4';

/**
 * Parses `value` with `schema`.
 *
 * @param what - the part of the request named in the message: `path`, `query`, `body`, `input`
 * @throws InputError `Invalid <what>: <field>: <problem>; ...` (400 `INVALID_INPUT`) with
 *   `fields`, the names of the bad fields (sent as `error.fields`, see errorResponse.ts)
 */
export function parse<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what: string,
): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw Object.assign(
      new InputError(`Invalid ${what}: ${describeZodError(result.error)}`),
      { fields: zodErrorFields(result.error) },
    );
  }
  return result.data;
}
