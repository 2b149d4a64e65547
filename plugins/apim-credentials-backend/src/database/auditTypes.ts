/**
 * What an audit row says, in the two steps it is written: the fields known when an attempt
 * starts, and those set when it ends (AuditStore.ts writes them; service/AuditTrail.ts decides).
 * Both are the public record's fields (`AuditRecord` in -common), so the row and what the REST
 * API returns cannot drift apart.
 */
import type {
  AuditOutcome,
  AuditRecord,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';

/**
 * Fields known when an attempt starts. `dryRun`: a dry run that was denied or that really asked
 * a key manager (issue 10 item 3); `apiRef`/`apiId`/`apiName`: subscribe and unsubscribe rows
 * (issue 16).
 */
export type AuditStart = Pick<
  AuditRecord,
  | 'actor'
  | 'source'
  | 'via'
  | 'taskId'
  | 'action'
  | 'entityRef'
  | 'environment'
  | 'instance'
  | 'keyType'
  | 'keyManager'
  | 'applicationId'
  | 'applicationName'
  | 'consumerKey'
  | 'requestId'
  | 'dryRun'
  | 'apiRef'
  | 'apiId'
  | 'apiName'
>;

/**
 * Fields set when an attempt ends: its outcome; for removals the client that was mapped (known
 * only then); failed and denied rows a stable code; successful rows that need a word more their
 * `resolution` and `note`; provisioning rows whether the credentials were proven first.
 */
export type AuditCompletion = Pick<
  AuditRecord,
  | 'applicationId'
  | 'applicationName'
  | 'keyMappingId'
  | 'consumerKey'
  | 'errorCode'
  | 'errorMessage'
  | 'resolution'
  | 'note'
  | 'verified'
  | 'apiId'
  | 'apiName'
> & { outcome: Exclude<AuditOutcome, 'pending'> };
