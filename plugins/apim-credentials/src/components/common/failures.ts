import {
  ApimCredentialsErrorCode,
  getApimCredentialsErrorCode,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { backendMessage, failureTitle } from './errors';

/** What a failed call means to the person who made it: a short headline, then the details. */
export interface FailureDescription {
  /** One short line naming what went wrong and, where known, which system said so. */
  title: string;
  /** The backend's own message (it names fields, clients and systems), plus what to do. */
  detail: string;
  code?: ApimCredentialsErrorCode;
  /**
   * The key manager refused the credentials: the only failure after which the secret is
   * dropped from the form, since it is probably wrong (issue 15 item 3).
   */
  authFailure: boolean;
}

/** Where the call was made: named in the headline instead of "the backend". */
export interface FailureContext {
  /** Display name of the key manager, e.g. "WSO2 Identity Server". */
  keyManager?: string;
  applicationName?: string;
  entityRef?: string;
  /** Whether "verify first" was on: off, a refusal came from API-M's own check of the client. */
  verified?: boolean;
}

/**
 * Describes a failed REST call by its stable error `code` (never by message text, which may
 * change): the codes are APIM_CREDENTIALS_ERROR_CODES of -common. Unknown or missing codes fall
 * back to a headline by HTTP status; the backend's message is always kept as the detail.
 */
export function describeFailure(
  error: unknown,
  context: FailureContext = {},
): FailureDescription {
  const code = getApimCredentialsErrorCode(error);
  const message = backendMessage(error);
  const km = context.keyManager ?? 'the key manager';
  const app = context.applicationName ?? "the entity's application";
  const entity = context.entityRef ?? 'this entity';
  const described = (title: string, hint?: string): FailureDescription => ({
    title,
    detail: hint ? `${message} ${hint}` : message,
    code,
    authFailure: code === 'VERIFICATION_FAILED',
  });
  switch (code) {
    case 'VERIFICATION_FAILED':
      return described(
        context.verified === false
          ? `API-M refused the client: ${km} did not accept these credentials`
          : `${km} rejected these credentials`,
        `Copy the consumer key and secret again from ${km} and enter the secret again.`,
      );
    case 'KEY_MANAGER_NEEDS_SCOPE':
      return described(
        `${km} wants a scope or audience the backend does not send`,
        'This is the platform team’s configuration, not your credentials.',
      );
    case 'APPLICATION_BOUND_ELSEWHERE':
      return described(
        `API-M application ${app} belongs to another entity`,
        `Name another application in the wso2.com/apim-application annotation, or ask the platform team (apim.applications.bind) to bind ${app} to ${entity}.`,
      );
    case 'APPLICATION_NOT_BOUND':
      return described(
        `API-M application ${app} is not bound to ${entity}`,
        `It already exists in API-M and Backstage did not create it: ask the platform team (apim.applications.bind) to bind ${app} to ${entity}.`,
      );
    case 'APPLICATION_REJECTED':
      return described(`API-M rejected the application ${app}`);
    case 'SLOT_TAKEN':
      return described(`Another client is already mapped for ${km}`);
    case 'OTHER_KEY_TYPE':
      return described(
        "This client is already the application's other key type",
      );
    case 'MAPPED_ELSEWHERE':
      return described('This client is mapped into another API-M application');
    case 'CONSUMER_KEY_MISMATCH':
      return described(
        `Another client is mapped for ${km} now`,
        'Reload the page to see it.',
      );
    case 'KEY_GENERATED_IN_APIM':
      return described('These keys were generated in API-M');
    case 'RATE_LIMITED':
      return described('Too many attempts: wait a moment and try again');
    case 'PERMISSION_DENIED':
      return described('You may not do this for this entity');
    case 'KEY_MANAGER_TIMEOUT':
    case 'KEY_MANAGER_UNREACHABLE':
    case 'KEY_MANAGER_ERROR':
    case 'KEY_MANAGER_FAILED_BEHIND_APIM':
    case 'KEY_MANAGER_NOT_LOADED':
      return described(`${km} is not available`);
    case 'APIM_TIMEOUT':
    case 'APIM_UNREACHABLE':
    case 'APIM_AUTH_FAILED':
    case 'APIM_FORBIDDEN':
    case 'APIM_REDIRECT':
    case 'APIM_MALFORMED_RESPONSE':
    case 'APIM_900967':
    case 'APIM_ERROR':
      return described('API-M is not available');
    default:
      return described(failureTitle(error));
  }
}
