/** The plugin id, also the backend mount point `/api/apim-credentials`. */
export const APIM_CREDENTIALS_PLUGIN_ID = 'apim-credentials';

/** Entity annotation naming the entity's WSO2 API-M application (exact name). */
export const APIM_APPLICATION_ANNOTATION = 'wso2.com/apim-application';

/**
 * Header a Backstage plugin calling on behalf of a user sets to say which of its tasks made the
 * call (the scaffolder sets its task id). Only trusted when the caller's token says the request
 * came through that plugin.
 */
export const APIM_CREDENTIALS_TASK_ID_HEADER = 'x-apim-credentials-task-id';

/** Auditor event ids; the audit table's `action` column uses the same words. */
export const AUDIT_ACTIONS = [
  'provision',
  'unprovision',
  'verify',
  'create-application',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_OUTCOMES = [
  'pending',
  'succeeded',
  'unchanged',
  'failed',
  'denied',
] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const AUDIT_SOURCES = ['ui', 'scaffolder', 'api'] as const;
export type AuditSource = (typeof AUDIT_SOURCES)[number];

export const KEY_TYPES = ['PRODUCTION', 'SANDBOX'] as const;
export type KeyType = (typeof KEY_TYPES)[number];
