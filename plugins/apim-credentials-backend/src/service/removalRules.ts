/**
 * What a removal may remove (issue 10, item 2). Backstage removes only clients it can have
 * mapped: a key API-M *generated* (mode CREATED) is deleted in its key manager by API-M 4.3+'s
 * DELETE (CONTRACT.md 9.2), irreversibly, so it is refused; and the caller names the client it
 * means to remove, so a client mapped into the slot meanwhile is never removed by mistake.
 */
import { ConflictError } from '@backstage/errors';
import type { ApimApplicationKey } from '../apim/types';
import { coded } from '../errors';

/**
 * Throws when the key in the slot must not be removed by this request.
 *
 * @param key - the key API-M lists in the (key type, key manager) slot, if any
 * @param input - the slot and the consumer key the caller means to remove
 * @throws ConflictError (409) with code KEY_GENERATED_IN_APIM for a generated key, or
 *   CONSUMER_KEY_MISMATCH when another client sits in the slot
 */
export function checkRemoval(
  key: ApimApplicationKey | undefined,
  input: { keyManager: string; environment: string; consumerKey: string },
  env: { keyType: string },
): void {
  if (!key) return;
  // CONTRACT.md 6.4: map-keys stores mode MAPPED; generate-keys stores CREATED.
  if (key.mode && key.mode !== 'MAPPED') {
    throw coded(
      new ConflictError(
        `The ${env.keyType} key of key manager "${input.keyManager}" in environment "${input.environment}" (client "${key.consumerKey}") was generated in API-M; remove it in the Developer Portal. Backstage removes only clients it mapped.`,
      ),
      'KEY_GENERATED_IN_APIM',
    );
  }
  if (key.consumerKey !== input.consumerKey) {
    throw coded(
      new ConflictError(
        `Environment "${input.environment}" holds client "${key.consumerKey}" for key manager "${input.keyManager}", not "${input.consumerKey}"; nothing was removed. Reload and remove the client that is mapped there, if that is what you mean.`,
      ),
      'CONSUMER_KEY_MISMATCH',
    );
  }
}
