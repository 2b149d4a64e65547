/**
 * Stable error codes of the REST API. Every error body the backend sends carries one as
 * `error.code` (Backstage's error body shape: `{ error: { name, message, code }, request, response }`);
 * the frontend and the scaffolder actions switch on it instead of matching message text. Codes
 * are also what audit rows record as `errorCode`. Adding a code is compatible; renaming or
 * removing one is a breaking change of the REST API.
 */
import { ResponseError } from '@backstage/errors';

/** @public */
export const APIM_CREDENTIALS_ERROR_CODES = [
  // ---- 400: the request itself is wrong ----
  /** A path, query or body field failed validation; the message names the field. */
  'INVALID_INPUT',
  /** The body is not parseable JSON, too large, or in an unsupported charset or encoding. */
  'MALFORMED_BODY',
  /** The entity has no `wso2.com/apim-application` annotation. */
  'MISSING_ANNOTATION',
  /** The annotation names an application API-M would refuse (checkApplicationName, CONTRACT.md 4.1/4.2). */
  'APPLICATION_NAME_INVALID',
  /** The key manager is registered in API-M but not offered for the environment. */
  'KEY_MANAGER_NOT_OFFERED',
  /** API-M does not know the key manager, or it is disabled (WSO2 901403, CONTRACT.md 6.5, 14.1). */
  'KEY_MANAGER_NOT_REGISTERED',
  /**
   * The key manager is missing from what API-M lists to the service account although API-M may
   * have it: from 4.3 a key manager's role permissions hide it (CONTRACT.md 5.1, 14.1).
   */
  'KEY_MANAGER_NOT_VISIBLE',
  /** The configured application throttling tier does not exist in API-M (WSO2 900305, CONTRACT.md 14.2). */
  'THROTTLING_POLICY_UNKNOWN',
  /** The key manager has no token endpoint, so its credentials cannot be verified. */
  'KEY_MANAGER_NO_TOKEN_ENDPOINT',
  /** The key manager's token endpoint is not one the operator allowed secrets to be sent to. */
  'TOKEN_ENDPOINT_NOT_ALLOWED',
  /** The subscription tier is not one the API offers or the configuration allows; the message lists the allowed ones. */
  'SUBSCRIPTION_TIER_NOT_ALLOWED',
  /** API-M refuses subscriptions while the application waits for approval ("Workflow status is not Approved", CONTRACT.md 14.2). */
  'APPLICATION_PENDING_APPROVAL',
  /** The API entity names no API-M API (no wso2.com/api-id, nor wso2.com/api-name + api-version). */
  'API_NOT_ANNOTATED',
  /** The key manager refused the credentials (wrong secret, unknown or disabled client). */
  'VERIFICATION_FAILED',
  /** The key manager wants a scope/audience the backend's configuration must supply (500). */
  'KEY_MANAGER_NEEDS_SCOPE',
  // ---- 401 / 403 ----
  /** No or an invalid Backstage token. */
  'AUTHENTICATION_REQUIRED',
  /** The permission policy said no. */
  'PERMISSION_DENIED',
  /** The entity's application is bound to another entity. */
  'APPLICATION_BOUND_ELSEWHERE',
  /** The entity's application exists in API-M but is bound to no entity yet. */
  'APPLICATION_NOT_BOUND',
  /** An approver may not decide their own approval request (issue 14). */
  'SELF_APPROVAL',
  // ---- 404 ----
  'UNKNOWN_ENVIRONMENT',
  'ENTITY_NOT_FOUND',
  /** The application does not exist in API-M and may not be created by this call. */
  'APPLICATION_NOT_FOUND',
  /** API-M has no published API of that id, name or version, or the service account may not see it (CONTRACT.md 11). */
  'API_NOT_FOUND',
  /** The entity's application has no subscription to that API in the environment. */
  'NOT_SUBSCRIBED',
  /** No approval request with that id. */
  'APPROVAL_REQUEST_NOT_FOUND',
  /** Anything else that was not found (a route, a mapping). */
  'NOT_FOUND',
  // ---- 409 ----
  /** Another client is already mapped in this (application, key type, key manager) slot. */
  'SLOT_TAKEN',
  /** The client is already the other key type's key of the application. */
  'OTHER_KEY_TYPE',
  /** The client is mapped into another API-M application. */
  'MAPPED_ELSEWHERE',
  /** The key in the slot was generated in API-M; only mapped keys are removed. */
  'KEY_GENERATED_IN_APIM',
  /** DELETE named a client other than the one in the slot; nothing was removed. */
  'CONSUMER_KEY_MISMATCH',
  /** Binding an application that is bound to another entity; unbind it first. */
  'BINDING_CONFLICT',
  /** API-M already has the annotation's application under a spelling that differs only in case (CONTRACT.md 14.1). */
  'APPLICATION_NAME_CASE_CONFLICT',
  /** The application was rejected in API-M's approval workflow; its keys would never work (CONTRACT.md 14.2). */
  'APPLICATION_REJECTED',
  /** The approval request was already decided, used or has expired. */
  'APPROVAL_REQUEST_NOT_PENDING',
  /** Another conflict; the message says what. */
  'CONFLICT',
  // ---- 429 ----
  /** Too many attempts by this caller or for this consumer key; see the Retry-After header. */
  'RATE_LIMITED',
  // ---- 5xx: a system the backend depends on failed ----
  'APIM_TIMEOUT',
  'APIM_UNREACHABLE',
  /** API-M rejected the service account's credentials or token. */
  'APIM_AUTH_FAILED',
  /** API-M refused the call (the application belongs to another API-M user). */
  'APIM_FORBIDDEN',
  /** API-M answered with a redirect, which is never followed (it would re-send secrets). */
  'APIM_REDIRECT',
  /** API-M's answer could not be read (not JSON, or larger than the cap). */
  'APIM_MALFORMED_RESPONSE',
  /** API-M's opaque "General Error" (900967) although the key manager accepts the credentials. */
  'APIM_900967',
  /** Any other error status from API-M. */
  'APIM_ERROR',
  /**
   * API-M lists the key manager as enabled but still refuses it (WSO2 901403) after the bounded
   * retry: API-M has not loaded it (CONTRACT.md 14.1). 503.
   */
  'KEY_MANAGER_NOT_LOADED',
  /**
   * API-M could not reach the key manager behind it (its generic 500, CONTRACT.md 14.1) while the
   * backend's own check found the credentials fine or the key manager unreachable too. 502.
   */
  'KEY_MANAGER_FAILED_BEHIND_APIM',
  'KEY_MANAGER_TIMEOUT',
  'KEY_MANAGER_UNREACHABLE',
  /** The key manager answered a token request with something other than a grant or a refusal. */
  'KEY_MANAGER_ERROR',
  /** An error of the backend itself; details are in its log under the logId of the message. */
  'INTERNAL',
] as const;

/**
 * One of {@link APIM_CREDENTIALS_ERROR_CODES}.
 *
 * @public
 */
export type ApimCredentialsErrorCode =
  (typeof APIM_CREDENTIALS_ERROR_CODES)[number];

const KNOWN_CODES: ReadonlySet<string> = new Set(APIM_CREDENTIALS_ERROR_CODES);

/**
 * Whether a value is one of the stable error codes.
 *
 * @public
 */
export function isApimCredentialsErrorCode(
  value: unknown,
): value is ApimCredentialsErrorCode {
  return typeof value === 'string' && KNOWN_CODES.has(value);
}

/**
 * A failed REST call as thrown by {@link ApimCredentialsClient}: Backstage's `ResponseError`
 * (status, parsed body, remote error as `cause`) plus the backend's stable `code`. `code` is
 * `undefined` when the answer did not come from this backend (a proxy, an older version).
 *
 * @public
 */
export type ApimCredentialsResponseError = ResponseError & {
  code?: ApimCredentialsErrorCode;
};

/**
 * The request fields a refused request was about (400 `INVALID_INPUT`: `body.error.fields`, e.g.
 * `["actor"]`), or an empty list. Forms switch on these, never on the message text.
 *
 * @public
 */
export function getApimCredentialsErrorFields(error: unknown): string[] {
  if (typeof error !== 'object' || error === null) return [];
  const own = (error as { fields?: unknown }).fields;
  const fromBody = (error as { body?: { error?: { fields?: unknown } } }).body
    ?.error?.fields;
  const fields = Array.isArray(own) ? own : fromBody;
  return Array.isArray(fields)
    ? fields.filter((f): f is string => typeof f === 'string')
    : [];
}

/**
 * The stable code of an error: from a client error's body (`body.error.code`), or from an
 * error object that carries `code` itself. `undefined` for anything else, never a guess.
 *
 * @public
 */
export function getApimCredentialsErrorCode(
  error: unknown,
): ApimCredentialsErrorCode | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const own = (error as { code?: unknown }).code;
  if (isApimCredentialsErrorCode(own)) return own;
  const fromBody = (error as { body?: { error?: { code?: unknown } } }).body
    ?.error?.code;
  return isApimCredentialsErrorCode(fromBody) ? fromBody : undefined;
}
