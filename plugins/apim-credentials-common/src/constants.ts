/**
 * The plugin id, also the backend mount point `/api/apim-credentials`.
 *
 * @public
 */
export const APIM_CREDENTIALS_PLUGIN_ID = 'apim-credentials';

/**
 * Entity annotation naming the entity's WSO2 API-M application (exact name).
 *
 * @public
 */
export const APIM_APPLICATION_ANNOTATION = 'wso2.com/apim-application';

/**
 * Header a Backstage plugin calling on behalf of a user sets to say which of its tasks made the
 * call (the scaffolder sets its task id). Only trusted when the caller's token says the request
 * came through that plugin.
 *
 * @public
 */
export const APIM_CREDENTIALS_TASK_ID_HEADER = 'x-apim-credentials-task-id';

/**
 * Header the frontend sets (value `ui`) so that audit rows of its requests say `source: ui`;
 * any other request made with a user's token is recorded as `api`. Informational only: anyone
 * holding a user token can set it, so it never decides anything (issue 10 item 5).
 *
 * @public
 */
export const APIM_CREDENTIALS_SOURCE_HEADER = 'x-apim-credentials-source';

/**
 * Auditor event ids; the audit table's `action` column uses the same words.
 *
 * @public
 */
export const AUDIT_ACTIONS = [
  'provision',
  'unprovision',
  'verify',
  'create-application',
  /** An application created by a failed attempt, deleted again (issue 10, item 6). */
  'delete-application',
  /** An existing application bound to an entity, or unbound (`apim.applications.bind`). */
  'bind',
  'unbind',
  /** The entity's application subscribed to an API-M API (`apim.subscriptions.manage`, issue 16). */
  'subscribe',
  'unsubscribe',
  /**
   * Approval of production keys (issue 14): an owner's request (credentials verified, the
   * secret not kept), an approver's decision, a request that ran out, and its completion (the
   * mapping itself is the `provision` row beside it).
   */
  'request-approval',
  'approve',
  'reject',
  'expire-request',
  'complete-request',
] as const;

/**
 * Where an approval request stands: `pending` until an approver decides; `approved` until it is
 * used to map the client (then `used`) or runs out (`expired`); `rejected` for good.
 *
 * @public
 */
export const APPROVAL_STATES = [
  'pending',
  'approved',
  'rejected',
  'expired',
  'used',
] as const;
/** @public */
export type ApprovalState = (typeof APPROVAL_STATES)[number];
/** @public */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** @public */
export const AUDIT_OUTCOMES = [
  'pending',
  'succeeded',
  'unchanged',
  'failed',
  'denied',
] as const;
/** @public */
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * Why a successful audit row needed a word more than its outcome (the row's `resolution`; its
 * `note` says it in words). Successful rows carry no error code.
 *
 * - `RESOLVED_BY_JOB`: the reconcile job completed a row the backend left pending (a restart or
 *   crash between the attempt and API-M's answer), from what API-M holds.
 * - `ADOPTED_BY_JOB`: API-M wrote a mapping after the attempt that asked for it had failed
 *   (timeout, broken answer); the reconcile job recorded it.
 * - `GATEWAYS_NOT_NOTIFIED`: a removal that WSO2's release cleaned up without revoking the
 *   client's tokens at the gateways (CONTRACT.md 9.1).
 * - `STALE_RECORD_REMOVED`: "Remove stale record" of a drifted mapping removed only Backstage's
 *   record; API-M no longer held the recorded mapping (keyMappingId + consumer key), so whatever
 *   it holds in the slot stayed. The note names the recorded client and the drift reason.
 *
 * @public
 */
export const AUDIT_RESOLUTIONS = [
  'RESOLVED_BY_JOB',
  'ADOPTED_BY_JOB',
  'GATEWAYS_NOT_NOTIFIED',
  'STALE_RECORD_REMOVED',
] as const;
/** @public */
export type AuditResolution = (typeof AUDIT_RESOLUTIONS)[number];

/**
 * `action`: an action of the actions registry (an AI agent over MCP, issue 14 item 3); `job`:
 * the plugin itself, in its scheduled job (an approval request expiring), no person.
 *
 * @public
 */
export const AUDIT_SOURCES = [
  'ui',
  'scaffolder',
  'api',
  'action',
  'job',
] as const;
/** @public */
export type AuditSource = (typeof AUDIT_SOURCES)[number];

/** @public */
export const KEY_TYPES = ['PRODUCTION', 'SANDBOX'] as const;
/** @public */
export type KeyType = (typeof KEY_TYPES)[number];

/**
 * Annotations of API entities naming their API-M API, as WSO2's own Backstage catalog module writes
 * them (issue 16). `api-id` wins; without it, `api-name` + `api-version` are looked up through
 * API-M's API search.
 *
 * @public
 */
export const APIM_API_ID_ANNOTATION = 'wso2.com/api-id';
/** @public */
export const APIM_API_NAME_ANNOTATION = 'wso2.com/api-name';
/** @public */
export const APIM_API_VERSION_ANNOTATION = 'wso2.com/api-version';
/** @public */
export const APIM_API_CONTEXT_ANNOTATION = 'wso2.com/api-context';
