import type { AuditRecord } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { DisplayNames } from '../common/useDisplayNames';

const VERBS: Record<string, string> = {
  provision: 'provide',
  unprovision: 'remove',
  verify: 'verify',
  'create-application': 'create application',
  'delete-application': 'delete application',
  bind: 'bind application',
  unbind: 'unbind application',
};

/** `user:default/jane` -> `jane`: the table links the full ref; the summary only names. */
function shortRef(ref: string | undefined): string {
  if (!ref) return '';
  return ref.replace(/^[^:]*:/, '').replace(/^default\//, '');
}

/**
 * One line that says what a row is about (issue 15 item 6), in display titles: "orders-client in
 * Sandbox · WSO2 Identity Server", the application where no client is involved, and the first
 * line of the error. The full record is in the row's details.
 */
export function auditSummary(record: AuditRecord, names: DisplayNames): string {
  const where = [
    names.environment(record.environment),
    names.keyManager(record.keyManager, record.environment),
  ]
    .filter(Boolean)
    .join(' · ');
  const what =
    record.consumerKey ??
    (record.applicationName ? `application ${record.applicationName}` : '');
  const head = [what, where && `in ${where}`].filter(Boolean).join(' ');
  // A successful row's note (issue 9) is said where an error would be, without the error colour.
  const error = (record.errorMessage ?? record.note)?.split('\n')[0];
  const by = record.via ? ` via ${record.via}` : '';
  return [
    `${shortRef(record.actor)}${by}: ${VERBS[record.action] ?? record.action}`,
    head,
    error && `— ${error}`,
  ]
    .filter(Boolean)
    .join(' ');
}

/** The Verified column (issue 15 item 7): only provisioning rows that recorded it say yes or no. */
export function verifiedLabel(record: AuditRecord): string {
  if (record.verified === undefined) return '—';
  return record.verified ? 'Verified' : 'Not verified';
}
