/**
 * Database rows to the records the REST API returns. Times come from the `*_utc` columns the
 * store selects (full-precision UTC text, see Timestamps), or the raw column.
 */
import type {
  AuditRecord,
  MappingRecord,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { Timestamps } from './timestamps';

/** A row as knex returns it. */
export type Row = Record<string, any>;

function orUndefined<T>(value: T | null): T | undefined {
  return value === null ? undefined : value;
}

function iso(time: Timestamps, value: unknown): string | undefined {
  return time.parse(value)?.toISOString();
}

export function toAuditRecord(row: Row, time: Timestamps): AuditRecord {
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
    requestId: orUndefined(row.request_id),
    apiRef: orUndefined(row.api_ref ?? null),
    apiId: orUndefined(row.api_id ?? null),
    apiName: orUndefined(row.api_name ?? null),
    // Only flagged rows carry the field, so records of real attempts look as they always did.
    ...(row.dry_run === true || row.dry_run === 1 ? { dryRun: true } : {}),
    // SQLite and MySQL answer 0/1; null (not known, or not a provisioning) stays absent.
    ...(row.verified === null || row.verified === undefined
      ? {}
      : { verified: Boolean(row.verified) }),
  };
}

export function toMappingRecord(row: Row, time: Timestamps): MappingRecord {
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
