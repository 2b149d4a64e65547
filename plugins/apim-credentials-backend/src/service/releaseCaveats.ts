/**
 * Errors and warnings for API-M behaviours that differ by release or by an application's
 * workflow state (CONTRACT.md 14), worded for the person who has to act on them.
 */
import { ConflictError, InputError } from '@backstage/errors';
import { ApimError } from '../apim/ApimError';
import type { ApimApplication } from '../apim/types';
import type { EnvironmentConfig } from '../config';
import { coded } from '../errors';

/**
 * A key manager missing from the service account's listing. From API-M 4.3 the listing leaves
 * out key managers whose role permissions the account does not match, while map-keys would still
 * accept them (CONTRACT.md 5.1, 14.1); so the likely cause is a missing role, not a missing key
 * manager. 400 `KEY_MANAGER_NOT_VISIBLE`.
 */
export function keyManagerNotVisible(
  env: EnvironmentConfig,
  name: string,
  offered: string[],
): Error {
  return coded(
    new InputError(
      `Key manager "${name}" is not among the key managers API-M instance "${
        env.instance
      }" shows its service account. Most likely the service account lacks the key manager's role: from API-M 4.3 a key manager with role permissions is hidden from users without one of its roles, so an API-M admin should add one of the account's roles to that key manager's permissions. Otherwise no key manager of that name is registered (check the spelling). Environment "${
        env.id
      }" offers ${offered.join(', ') || 'none'}.`,
    ),
    'KEY_MANAGER_NOT_VISIBLE',
  );
}

/** Whether API-M refused an application's throttling tier (400/900305, CONTRACT.md 14.2 item 5). */
export function isUnknownTier(error: unknown): boolean {
  return error instanceof ApimError && error.is(400, 900305);
}

/** 400 `THROTTLING_POLICY_UNKNOWN` naming the configuration key that holds the tier. */
export function unknownTierError(instance: string, tier: string): Error {
  return coded(
    new InputError(
      `API-M instance "${instance}" has no application throttling tier "${tier}" (WSO2 code 900305), so the application could not be created; set apimCredentials.applications.throttlingPolicy to one of the instance's application tiers (e.g. Unlimited). Nothing was created.`,
    ),
    'THROTTLING_POLICY_UNKNOWN',
  );
}

/**
 * Refuses to map into a rejected application: API-M would map the client (map-keys ignores the
 * status) yet its gateways never accept the tokens (CONTRACT.md 14.2 item 2). 409
 * `APPLICATION_REJECTED`.
 */
export function assertNotRejected(app: ApimApplication, instance: string) {
  if (app.status?.toUpperCase() !== 'REJECTED') return;
  throw coded(
    new ConflictError(
      `API-M application "${app.name}" in instance "${instance}" was rejected in API-M's approval workflow (status REJECTED): API-M's gateways would refuse every token of a client mapped into it, so nothing was mapped. Ask an API-M admin to approve the application, or name another one in the wso2.com/apim-application annotation.`,
    ),
    'APPLICATION_REJECTED',
  );
}

/**
 * The warning for a mapping into an application pending approval (`status: CREATED`): it is
 * mapped, but tokens are refused until an admin approves it (CONTRACT.md 14.2 item 2).
 */
export function pendingApplicationWarning(
  app: ApimApplication,
): string | undefined {
  if (app.status?.toUpperCase() !== 'CREATED') return undefined;
  return `API-M application "${app.name}" is pending approval (status CREATED): the client is mapped, but API-M's gateways refuse its tokens and subscriptions fail until an API-M admin approves the application.`;
}

/**
 * The warning for a removal done with clean-up (API-M 4.2 has no DELETE): clean-up tells no
 * gateway, so gateways keep accepting the client's tokens until they resync or restart
 * (CONTRACT.md 9.1, 14.2 item 4).
 */
export function cleanUpWarning(
  consumerKey: string,
  keyManager: string,
): string {
  return `API-M removed the mapping with clean-up (this API-M has no DELETE for mappings), which does not notify its gateways: they keep accepting tokens of client "${consumerKey}" until they resync or restart. To stop that now, revoke the client's tokens in key manager "${keyManager}" (or rotate its secret), or restart or resync the gateways.`;
}
