/**
 * What API-M's subscription answers mean for a person (CONTRACT.md 11, 14.1, 14.2 item 2): each
 * becomes an error with a stable code and a message saying what to do. Everything else goes
 * through translateError (timeouts, unreachable, auth: 5xx naming API-M).
 */
import { InputError, NotFoundError } from '@backstage/errors';
import { ApimError } from '../apim/ApimError';
import { coded } from '../errors';
import { translateError } from '../service/translateError';

/** Where the call went and about what, for the message. */
export interface SubscriptionContext {
  instance: string;
  applicationName: string;
  /** e.g. `OrdersAPI 1.0.0 (api:default/orders-api)`. */
  api: string;
}

/** API-M's 409 on POST /subscriptions: the application already subscribes (CONTRACT.md 11). */
export function isAlreadySubscribed(error: unknown): boolean {
  return error instanceof ApimError && error.is(409);
}

/**
 * @returns a coded error: 400 `APPLICATION_PENDING_APPROVAL` ("Workflow status is not
 *   Approved"), 400 `SUBSCRIPTION_TIER_NOT_ALLOWED` (WSO2's description lists the tiers), 404
 *   `API_NOT_FOUND` (not published, or not visible to the service account: API-M's 404 or 403 on
 *   the API), else translateError's answer (5xx naming API-M).
 */
export function translateSubscriptionError(
  error: unknown,
  ctx: SubscriptionContext,
): Error {
  const where = `API-M instance "${ctx.instance}"`;
  if (error instanceof ApimError && error.kind === 'http') {
    const description = error.description ?? '';
    if (error.is(400) && /workflow status is not approved/i.test(description)) {
      return coded(
        new InputError(
          `Application "${ctx.applicationName}" is waiting for approval in ${where}; it can subscribe to ${ctx.api} once an API-M admin approves it (Admin Portal > Tasks > Application Creation).`,
        ),
        'APPLICATION_PENDING_APPROVAL',
      );
    }
    if (error.is(400) && /tier/i.test(description)) {
      return coded(
        new InputError(
          `${where} does not allow that tier for ${
            ctx.api
          }: ${description.slice(0, 300)} Pick one of the API's tiers.`,
        ),
        'SUBSCRIPTION_TIER_NOT_ALLOWED',
      );
    }
    if (
      (error.is(404) || error.is(403)) &&
      /\/apis|subscriptions$/.test(error.operation) &&
      !/application/i.test(description)
    ) {
      return coded(
        new NotFoundError(
          `${ctx.api} is not published in ${where}, or the service account may not see it (API visibility); ask the API's publisher to publish it or widen its visibility.`,
        ),
        'API_NOT_FOUND',
      );
    }
  }
  return translateError(error, ctx.instance).error;
}
