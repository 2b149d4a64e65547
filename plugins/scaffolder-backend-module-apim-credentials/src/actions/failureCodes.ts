/**
 * Failure descriptions of the answers that carry the backend's stable error code
 * (`ApimCredentialsErrorCode` from `-common`, PRODUCT.md section 5). Message text is only quoted,
 * never parsed.
 */
import type { ApimCredentialsErrorCode } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import {
  Answer,
  apimFailing,
  conflict,
  describeByStatus,
  Description,
  http,
  ENVIRONMENTS_HINT,
  keyManagerRefused,
  notFound,
  permissionDenied,
  REMOVE_FIRST,
  RETRY_LATER,
  verificationFailed,
} from './failureTexts';

/** The HTTP status of the codes that mean exactly that status. */
const STATUS_OF = {
  AUTHENTICATION_REQUIRED: 401,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
} as const;

/**
 * The description of an answer that carried a stable code. Every code of the union has a case,
 * so a code added to `-common` does not compile here until it is described.
 */
export function describeByCode(
  code: ApimCredentialsErrorCode,
  a: Answer,
): Description {
  switch (code) {
    case 'INVALID_INPUT':
    case 'MALFORMED_BODY':
      return { kind: 'invalid-input', text: `invalid input: ${a.said}` };
    case 'MISSING_ANNOTATION':
      return {
        kind: 'invalid-input',
        text: `invalid input: ${a.said}. Add the wso2.com/apim-application annotation, naming the entity's API-M application, to ${a.cell.entityRef}`,
      };
    case 'APPLICATION_NAME_INVALID':
      return {
        kind: 'invalid-input',
        text: `invalid input: ${a.said}. Change the wso2.com/apim-application annotation of ${a.cell.entityRef} to a name API-M accepts`,
      };
    case 'KEY_MANAGER_NOT_OFFERED':
    case 'KEY_MANAGER_NOT_REGISTERED':
      return keyManagerRefused(
        a,
        `Choose a key manager the environment allows (${ENVIRONMENTS_HINT})`,
      );
    case 'KEY_MANAGER_NOT_VISIBLE':
      return keyManagerRefused(
        a,
        "The platform team must give API-M's service account the key manager's role (its permissions in the API-M admin portal), or choose another key manager",
      );
    case 'THROTTLING_POLICY_UNKNOWN':
      return {
        kind: 'unexpected',
        text: `the backend's application tier does not exist in API-M${http(
          a,
        )}: ${
          a.said
        }. Retrying does not help: the platform team must fix apimCredentials.applications.throttlingPolicy`,
      };
    case 'KEY_MANAGER_NO_TOKEN_ENDPOINT':
      return keyManagerRefused(
        a,
        'The credentials cannot be verified at that key manager: leave verify unset if the environment does not require verification, or ask the platform team to configure its token endpoint',
      );
    case 'TOKEN_ENDPOINT_NOT_ALLOWED':
      return keyManagerRefused(
        a,
        "The secret is sent only to token endpoints the platform team allowed: ask them to allow this key manager's token endpoint, or choose another key manager",
      );
    case 'VERIFICATION_FAILED':
      return verificationFailed(a);
    // Codes that say no more than their status: described as that status.
    case 'AUTHENTICATION_REQUIRED':
    case 'NOT_FOUND':
    case 'RATE_LIMITED':
      return describeByStatus({ ...a, status: STATUS_OF[code] });
    case 'PERMISSION_DENIED':
      return permissionDenied(a);
    case 'APPLICATION_BOUND_ELSEWHERE':
      return {
        kind: 'application-not-bound',
        text: `the API-M application belongs to another entity: ${a.said}. Only the entity it is bound to may use it; check the wso2.com/apim-application annotation of ${a.cell.entityRef}`,
      };
    case 'APPLICATION_NOT_BOUND':
      return {
        kind: 'application-not-bound',
        text: `the API-M application is not bound to ${a.cell.entityRef}: ${a.said}. It exists in API-M but Backstage did not create it; ask your platform team to bind it to ${a.cell.entityRef} (permission apim.applications.bind)`,
      };
    // Subscription answers (apim:subscriptions:sync, issue 16).
    case 'SUBSCRIPTION_TIER_NOT_ALLOWED':
      return {
        kind: 'invalid-input',
        text: `invalid input: ${a.said}. The action subscribes with the first of the API's tiers the platform allows: the API's publisher or the platform team (apimCredentials.subscriptions.allowedTiers) must make one tier both offered and allowed`,
      };
    case 'API_NOT_ANNOTATED':
      return {
        kind: 'invalid-input',
        text: `invalid input: ${a.said}. Annotate the API entity with wso2.com/api-id (or wso2.com/api-name and wso2.com/api-version) as WSO2's catalog module writes them`,
      };
    case 'APPLICATION_PENDING_APPROVAL':
      return conflict(
        a,
        "The application waits for approval in API-M's workflow: retry after an API-M admin approved it",
      );
    case 'API_NOT_FOUND':
    case 'NOT_SUBSCRIBED':
      return notFound(
        a,
        "Check the API entity's wso2.com/api-id (or api-name and api-version) annotations",
      );
    case 'UNKNOWN_ENVIRONMENT':
      return notFound(a, `Use an environment id that ${ENVIRONMENTS_HINT}`);
    case 'ENTITY_NOT_FOUND':
      return notFound(
        a,
        `If an earlier step registered ${a.cell.entityRef}, set waitForEntity so the action waits for the catalog`,
      );
    case 'APPLICATION_NOT_FOUND':
      return notFound(
        a,
        'Create the API-M application first, or leave createApplication unset so the backend may create it',
      );
    // Approval answers (issue 14): the action files and completes requests, never decides them.
    case 'SELF_APPROVAL':
      return {
        kind: 'permission-denied',
        text: `permission denied: ${a.said}. Another approver (apim.credentials.approve) must decide it`,
      };
    case 'APPROVAL_REQUEST_NOT_FOUND':
      return notFound(a, 'Re-run the task to file a new approval request');
    case 'APPROVAL_REQUEST_NOT_PENDING':
      return conflict(
        a,
        'Re-run the task: an approved request is completed, an expired or rejected one is filed again',
      );
    case 'SLOT_TAKEN':
    case 'CONFLICT':
      return conflict(a, REMOVE_FIRST);
    case 'OTHER_KEY_TYPE':
      return conflict(
        a,
        "A client is the key of one key type only: use another client for this environment's key type",
      );
    case 'MAPPED_ELSEWHERE':
      return conflict(
        a,
        'A client is mapped into one API-M application only: remove it there first, or use another client',
      );
    case 'KEY_GENERATED_IN_APIM':
      return conflict(
        a,
        'That key was generated in API-M, so Backstage does not remove it: remove it in the API-M Developer Portal',
      );
    case 'CONSUMER_KEY_MISMATCH':
      return conflict(
        a,
        "Another client is mapped there now and nothing was removed: check the consumer key, or look at the entity's API-M Credentials tab",
      );
    case 'BINDING_CONFLICT':
      return conflict(
        a,
        'The application is bound to another entity: the platform team must unbind it first',
      );
    case 'APPLICATION_REJECTED':
      return conflict(
        a,
        "The application was rejected in API-M's approval workflow: ask an API-M admin to approve it, or name another application",
      );
    case 'APPLICATION_NAME_CASE_CONFLICT':
      return conflict(
        a,
        'API-M compares application names without regard to case: make the wso2.com/apim-application annotation spell the existing application exactly',
      );
    case 'APIM_TIMEOUT':
    case 'APIM_UNREACHABLE':
    case 'APIM_MALFORMED_RESPONSE':
    case 'APIM_900967':
    case 'APIM_ERROR':
      return apimFailing(a, `${RETRY_LATER} the API-M instance`);
    case 'APIM_AUTH_FAILED':
    case 'APIM_FORBIDDEN':
    case 'APIM_REDIRECT':
      return apimFailing(
        a,
        "Nothing was changed there. Retrying does not help: the platform team must fix the API-M instance's configuration",
      );
    case 'KEY_MANAGER_NOT_LOADED':
    case 'KEY_MANAGER_FAILED_BEHIND_APIM':
    case 'KEY_MANAGER_TIMEOUT':
    case 'KEY_MANAGER_UNREACHABLE':
    case 'KEY_MANAGER_ERROR':
      return {
        kind: 'key-manager-unavailable',
        text: `the key manager is unreachable or failing${http(a)}: ${
          a.said
        }. ${RETRY_LATER} the key manager`,
      };
    case 'KEY_MANAGER_NEEDS_SCOPE':
      return {
        kind: 'unexpected',
        text: `the key manager needs more than the client's credentials${http(
          a,
        )}: ${
          a.said
        }. Retrying does not help: the platform team must configure the scope or audience it requires`,
      };
    case 'INTERNAL':
      return {
        kind: 'unexpected',
        text: `the apim-credentials backend failed${http(a)}: ${
          a.said
        }. Its log has the details; ask the platform team`,
      };
    default: {
      const unhandled: never = code;
      return describeByStatus({ ...a, said: `${a.said} (${unhandled})` });
    }
  }
}
