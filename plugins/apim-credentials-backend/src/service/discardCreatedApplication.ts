/**
 * Issue 10, item 6: an attempt that created the entity's API-M application and then failed
 * deletes that application again, so a bogus client leaves nothing behind. The deletion is
 * audited (`delete-application`) and its binding removed. DELETE /applications/{id} removes the
 * app's mappings and subscriptions and leaves mapped clients alone in their key managers
 * (CONTRACT.md 4.2).
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { ApimClient } from '../apim/ApimClient';
import { ApimError } from '../apim/ApimError';
import type { ApimApplication } from '../apim/types';
import type { AuditStart } from '../database/AuditStore';
import { ApimDirectory } from './ApimDirectory';
import { ApplicationBindings } from './ApplicationBindings';
import type { AuditTrail } from './AuditTrail';

/**
 * Whether an attempt's error proves nothing was mapped. A map-keys call that timed out, could
 * not be read or never got an answer may still have written the mapping (CONTRACT.md 9.3); the
 * reconcile job adopts such mappings, so their application must stay.
 */
export function isConclusiveFailure(error: unknown): boolean {
  return !(
    error instanceof ApimError &&
    (error.kind === 'timeout' ||
      error.kind === 'unreachable' ||
      error.kind === 'malformed')
  );
}

/**
 * Deletes an application created by the failing attempt; never throws (the caller reports the
 * attempt's own error): a deletion that fails is logged and audited as failed.
 */
export async function discardCreatedApplication(options: {
  trail: Pick<AuditTrail, 'begin' | 'complete'>;
  bindings: ApplicationBindings;
  directory: ApimDirectory;
  logger: LoggerService;
  client: ApimClient;
  app: ApimApplication;
  audit: AuditStart;
}): Promise<void> {
  const { trail, bindings, directory, logger, client, app } = options;
  let auditId: string | undefined;
  try {
    auditId = await trail.begin({
      ...options.audit,
      applicationId: app.applicationId,
      applicationName: app.name,
    });
    await client.deleteApplication(app.applicationId);
    directory.forgetApplication(client, app.name);
    await bindings.store.unbind(client.instanceId, app.applicationId);
    await trail.complete(auditId, {
      outcome: 'succeeded',
      applicationId: app.applicationId,
      applicationName: app.name,
    });
  } catch (error) {
    logger.warn(
      `Could not delete API-M application "${app.name}" (${app.applicationId}) in instance "${client.instanceId}" after a failed provisioning: ${error}`,
    );
    if (auditId) {
      await trail
        .complete(auditId, {
          outcome: 'failed',
          errorCode: 'APIM_ERROR',
          errorMessage: `The application created by a failed attempt could not be deleted again; delete it in the Developer Portal (${String(
            (error as Error)?.message ?? error,
          ).slice(0, 300)})`,
        })
        .catch(() => undefined);
    }
  }
}
