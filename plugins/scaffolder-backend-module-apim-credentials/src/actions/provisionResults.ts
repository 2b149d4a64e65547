/**
 * What `apim:credentials:provision` keeps and reports of each environment that succeeded: the
 * checkpoint (ids only, never the secret), the log line per cell, and the step's outputs.
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { ProvisionResult } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { Cell, describeCell } from './cell';

/** What a checkpoint stores per environment: ids only, never the secret. */
export type ProvisionCheckpoint = {
  status: 'created' | 'unchanged';
  environment: string;
  keyManager: string;
  keyType: string;
  applicationId: string;
  applicationName: string;
  consumerKey: string;
  keyMappingId: string;
  auditId: string;
  applicationStatus?: string;
  warning?: string;
};

/** The backend's answer reduced to a checkpoint; absent ids become empty strings. */
export function toCheckpoint(result: ProvisionResult): ProvisionCheckpoint {
  return {
    status: result.status,
    environment: result.environment,
    keyManager: result.keyManager,
    keyType: result.keyType,
    applicationId: result.applicationId ?? '',
    applicationName: result.applicationName ?? '',
    consumerKey: result.consumerKey,
    keyMappingId: result.keyMappingId ?? '',
    auditId: result.auditId ?? '',
    ...(result.applicationStatus
      ? { applicationStatus: result.applicationStatus }
      : {}),
    ...(result.warning ? { warning: result.warning } : {}),
  };
}

/** Logs what happened (or, in a dry run, would happen) in one cell, then its warning if any. */
export function logProvisionResult(
  logger: LoggerService,
  cell: Cell,
  result: ProvisionCheckpoint,
  dryRun: boolean,
): void {
  const { consumerKey } = result;
  const where = describeCell(cell);
  if (dryRun) {
    logger.info(
      result.status === 'unchanged'
        ? `Dry run: client ${consumerKey} is already mapped in ${where}; nothing would change`
        : `Dry run: would map client ${consumerKey} into API-M application "${
            result.applicationName || 'to be created'
          }" in ${where}; inputs, permission, environment, key manager and application checked, nothing changed`,
    );
  } else {
    logger.info(
      result.status === 'created'
        ? `Mapped client ${consumerKey} into API-M application "${result.applicationName}" in ${where} (keyMappingId ${result.keyMappingId})`
        : `Client ${consumerKey} was already mapped in ${where}; nothing changed`,
    );
  }
  if (result.warning) logger.warn(`${where}: ${result.warning}`);
}

/** The step's outputs, named as in the action's output schema. */
export interface ProvisionOutputs {
  applicationId: string;
  applicationName: string;
  applicationStatus: string;
  warnings: string[];
  mappings: Array<
    Pick<
      ProvisionCheckpoint,
      | 'environment'
      | 'keyManager'
      | 'keyType'
      | 'consumerKey'
      | 'keyMappingId'
      | 'applicationId'
      | 'applicationName'
      | 'applicationStatus'
      | 'warning'
      | 'status'
    >
  >;
}

/**
 * The outputs of the environments that succeeded: the first one's application, every warning
 * prefixed with its environment, and one mapping per environment (no audit id).
 */
export function provisionOutputs(
  succeeded: ProvisionCheckpoint[],
): ProvisionOutputs {
  const first = succeeded[0];
  return {
    applicationId: first?.applicationId ?? '',
    applicationName: first?.applicationName ?? '',
    applicationStatus: first?.applicationStatus ?? '',
    warnings: succeeded.flatMap(r =>
      r.warning ? [`${r.environment}: ${r.warning}`] : [],
    ),
    mappings: succeeded.map(r => ({
      environment: r.environment,
      keyManager: r.keyManager,
      keyType: r.keyType,
      consumerKey: r.consumerKey,
      keyMappingId: r.keyMappingId,
      applicationId: r.applicationId,
      applicationName: r.applicationName,
      ...(r.applicationStatus
        ? { applicationStatus: r.applicationStatus }
        : {}),
      ...(r.warning ? { warning: r.warning } : {}),
      status: r.status,
    })),
  };
}
