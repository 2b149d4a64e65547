/**
 * What an audit row says, in the two steps it is written: the fields known when an attempt
 * starts, and those set when it ends (AuditStore.ts writes them; service/AuditTrail.ts decides).
 */
import type {
  AuditAction,
  AuditOutcome,
  AuditResolution,
  AuditSource,
  KeyType,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';

/** Fields known when an attempt starts. */
export interface AuditStart {
  actor: string;
  source: AuditSource;
  via?: string;
  taskId?: string;
  action: AuditAction;
  entityRef?: string;
  environment?: string;
  instance?: string;
  keyType?: KeyType;
  keyManager?: string;
  applicationId?: string;
  applicationName?: string;
  consumerKey?: string;
  requestId?: string;
  /** A dry run that was denied or that really asked a key manager (issue 10 item 3). */
  dryRun?: boolean;
  /** subscribe / unsubscribe: the API entity, API-M's API id and `name version` (issue 16). */
  apiRef?: string;
  apiId?: string;
  apiName?: string;
}

/** Fields set when an attempt ends. */
export interface AuditCompletion {
  outcome: Exclude<AuditOutcome, 'pending'>;
  applicationId?: string;
  applicationName?: string;
  keyMappingId?: string;
  /** Known only at the end for removals: the client that was mapped. */
  consumerKey?: string;
  /** Failed and denied rows: the stable code (`APIM_CREDENTIALS_ERROR_CODES`). */
  errorCode?: string;
  errorMessage?: string;
  /** Successful rows that need a word more than their outcome (`AUDIT_RESOLUTIONS`). */
  resolution?: AuditResolution;
  /** What the resolution means for this row, in words. */
  note?: string;
  /** Provisioning only: whether this attempt proved the credentials at the key manager first. */
  verified?: boolean;
  /** subscribe / unsubscribe: the API as API-M resolved it, known only after the lookup. */
  apiId?: string;
  apiName?: string;
}
