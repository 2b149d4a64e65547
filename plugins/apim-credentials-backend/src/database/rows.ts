/**
 * The plugin's rows as the database returns them, and their records as the REST API returns
 * them. Times come from the `*_utc` columns the stores select (full-precision UTC text, see
 * Timestamps), or the raw column.
 */
import type {
  AuditAction,
  AuditOutcome,
  AuditRecord,
  AuditSource,
  KeyType,
  MappingRecord,
  AuditResolution,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { Timestamps } from './timestamps';

/** A timestamp column as a driver returns it: a Date (pg), text (MySQL), epoch ms (SQLite). */
export type DbTime = Date | string | number;

/** A row of `apim_credentials_audit` (migrations init, audit_verified, audit_resolution). */
export interface DbAuditRow {
  /** Keyset order; bigint, so PostgreSQL answers text. */
  seq: number | string;
  id: string;
  started_at: DbTime;
  finished_at: DbTime | null;
  actor: string;
  source: AuditSource;
  via: string | null;
  task_id: string | null;
  action: AuditAction;
  outcome: AuditOutcome;
  entity_ref: string | null;
  environment: string | null;
  instance: string | null;
  key_type: KeyType | null;
  key_manager: string | null;
  application_id: string | null;
  application_name: string | null;
  key_mapping_id: string | null;
  consumer_key: string | null;
  /** Failed and denied rows only. */
  error_code: string | null;
  error_message: string | null;
  /** Successful rows that need a word more (migration 20261203100000_audit_resolution). */
  resolution: AuditResolution | null;
  note: string | null;
  request_id: string | null;
  /** SQLite and MySQL answer 0/1. */
  dry_run: boolean | number;
  verified: boolean | number | null;
  /** Denials this row stands for (migration 20261207100000_audit_denied_attempts); 1 otherwise. */
  attempts?: number | string;
  /** subscribe / unsubscribe rows (migration 20261203160000_audit_api). */
  api_ref: string | null;
  api_id: string | null;
  api_name: string | null;
}

/** An audit row read by AuditStore, with its times as full-precision UTC text. */
export type DbAuditRowRead = DbAuditRow & {
  started_at_utc: string | number;
  finished_at_utc: string | number | null;
};

/** A row of `apim_credentials_mappings` (migration init). */
export interface DbMappingRow {
  /** bigint, so PostgreSQL answers text. */
  id: number | string;
  entity_ref: string;
  environment: string;
  key_manager: string;
  instance: string;
  key_type: KeyType;
  application_id: string;
  application_name: string;
  consumer_key: string;
  key_mapping_id: string;
  /** A JSON array of grant type names. */
  grant_types: string;
  provisioned_by: string;
  provisioned_at: DbTime;
  /** `active`, or `drifted` (with `drift_reason`) when API-M no longer agrees. */
  state: MappingRecord['state'];
  drift_reason: string | null;
}

/** A mapping row read by MappingStore, with its time as full-precision UTC text. */
export type DbMappingRowRead = DbMappingRow & {
  provisioned_at_utc?: string | number;
};

function orUndefined<T>(value: T | null | undefined): T | undefined {
  return value === null ? undefined : value;
}

function iso(time: Timestamps, value: unknown): string | undefined {
  return time.parse(value)?.toISOString();
}

export function toAuditRecord(
  row: DbAuditRow & Partial<DbAuditRowRead>,
  time: Timestamps,
): AuditRecord {
  return {
    id: row.id,
    startedAt: iso(time, row.started_at_utc ?? row.started_at)!,
    finishedAt: iso(time, row.finished_at_utc ?? row.finished_at),
    actor: row.actor,
    source: row.source,
    via: orUndefined(row.via),
    taskId: orUndefined(row.task_id),
    action: row.action,
    outcome: row.outcome,
    entityRef: orUndefined(row.entity_ref),
    environment: orUndefined(row.environment),
    instance: orUndefined(row.instance),
    keyType: orUndefined(row.key_type),
    keyManager: orUndefined(row.key_manager),
    applicationId: orUndefined(row.application_id),
    applicationName: orUndefined(row.application_name),
    keyMappingId: orUndefined(row.key_mapping_id),
    consumerKey: orUndefined(row.consumer_key),
    errorCode: orUndefined(row.error_code),
    errorMessage: orUndefined(row.error_message),
    // Only rows that carry one have the fields, so other records look as they always did.
    ...(row.resolution ? { resolution: row.resolution } : {}),
    ...(row.note ? { note: row.note } : {}),
    requestId: orUndefined(row.request_id),
    // Only subscription rows name an API; other records look as they always did.
    ...(row.api_ref ? { apiRef: row.api_ref } : {}),
    ...(row.api_id ? { apiId: row.api_id } : {}),
    ...(row.api_name ? { apiName: row.api_name } : {}),
    ...(row.dry_run === true || row.dry_run === 1 ? { dryRun: true } : {}),
    // null (not known, or not a provisioning) stays absent.
    ...(row.verified === null || row.verified === undefined
      ? {}
      : { verified: Boolean(row.verified) }),
    // A denied row that stands for repeated denials (migration 20261207100000) says how many.
    ...(Number(row.attempts ?? 1) > 1
      ? { attempts: Number(row.attempts) }
      : {}),
  };
}

export function toMappingRecord(
  row: DbMappingRowRead,
  time: Timestamps,
): MappingRecord {
  return {
    entityRef: row.entity_ref,
    environment: row.environment,
    keyManager: row.key_manager,
    instance: row.instance,
    keyType: row.key_type,
    applicationId: row.application_id,
    applicationName: row.application_name,
    consumerKey: row.consumer_key,
    keyMappingId: row.key_mapping_id,
    grantTypes: JSON.parse(row.grant_types),
    provisionedBy: row.provisioned_by,
    provisionedAt: iso(time, row.provisioned_at_utc ?? row.provisioned_at)!,
    state: row.state,
    driftReason: orUndefined(row.drift_reason),
  };
}
