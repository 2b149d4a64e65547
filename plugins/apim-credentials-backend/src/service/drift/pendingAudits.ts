/**
 * Resolution of `pending` audit rows: a pending row older than a few minutes means the backend
 * died between writing it and API-M's answer; API-M is asked what happened and the row is
 * completed (CONTRACT.md 9.3). Moved out of ReconcileJob.ts; API-M calls go through the
 * instance's gate (InstanceGate.ts).
 */
import type { AuditRecord } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { ReconcileDeps, ReconcileReport } from './types';
import { mappingOf } from '../mappingOf';

/** Completes every pending row older than `reconcile.pendingAfter`; counts into `report`. */
export async function resolvePendingAudits(
  deps: ReconcileDeps,
  now: Date,
  report: ReconcileReport,
): Promise<void> {
  const olderThan = new Date(
    now.getTime() - deps.config.reconcile.pendingAfterMs,
  );
  const pending = await deps.stores.audit.listPendingAudits(olderThan);
  for (const row of pending) {
    try {
      await resolve(deps, row);
      report.resolved += 1;
    } catch (error) {
      report.stillPending += 1;
      deps.logger.warn(
        `Could not resolve pending audit row ${row.id} yet: ${
          (error as Error).message
        }`,
      );
    }
  }
}

async function resolve(deps: ReconcileDeps, row: AuditRecord) {
  const env = deps.config.environments.find(e => e.id === row.environment);
  const apim = env && deps.apim(env.instance);
  const interrupted =
    'The request was interrupted before it completed (backend restart or crash)';
  if (
    !env ||
    !apim ||
    !row.applicationName ||
    (row.action !== 'provision' &&
      row.action !== 'unprovision' &&
      row.action !== 'create-application')
  ) {
    await deps.trail.complete(row.id, {
      outcome: 'failed',
      errorCode: 'INTERRUPTED',
      errorMessage: interrupted,
    });
    return;
  }
  const app = await apim.call(c =>
    c.findApplicationByName(row.applicationName!),
  );
  if (row.action === 'create-application') {
    await deps.trail.complete(
      row.id,
      app
        ? {
            outcome: 'succeeded',
            applicationId: app.applicationId,
            resolution: 'RESOLVED_BY_JOB',
            note: `${interrupted}; API-M holds the application`,
          }
        : {
            outcome: 'failed',
            errorCode: 'INTERRUPTED',
            errorMessage: `${interrupted}; API-M has no such application`,
          },
    );
    return;
  }
  const keys = app
    ? await apim.call(c => c.listOAuthKeys(app.applicationId))
    : [];
  const key = keys.find(
    k =>
      k.keyManager === row.keyManager &&
      k.keyType === row.keyType &&
      (row.action === 'unprovision' || k.consumerKey === row.consumerKey),
  );
  if (row.action === 'provision') {
    if (key && app) {
      await deps.trail.completeWithMapping(
        row.id,
        {
          outcome: 'succeeded',
          applicationId: app.applicationId,
          applicationName: app.name,
          keyMappingId: key.keyMappingId,
          resolution: 'RESOLVED_BY_JOB',
          note: `${interrupted}; API-M holds the mapping, so it is recorded as made`,
        },
        {
          record: mappingOf({
            entityRef: row.entityRef!,
            env,
            app,
            key,
            provisionedBy: row.actor,
            provisionedAt: new Date(row.startedAt),
          }),
        },
      );
    } else {
      await deps.trail.complete(row.id, {
        outcome: 'failed',
        errorCode: 'INTERRUPTED',
        errorMessage: `${interrupted}; API-M holds no such mapping, nothing was changed`,
      });
    }
    return;
  }
  // unprovision
  if (key) {
    await deps.trail.complete(row.id, {
      outcome: 'failed',
      errorCode: 'INTERRUPTED',
      errorMessage: `${interrupted}; the mapping is still in API-M`,
      keyMappingId: key.keyMappingId,
      consumerKey: key.consumerKey,
    });
  } else {
    await deps.trail.completeWithMapping(
      row.id,
      {
        outcome: 'succeeded',
        resolution: 'RESOLVED_BY_JOB',
        note: `${interrupted}; API-M no longer holds the mapping, so it is recorded as removed`,
      },
      {
        remove: {
          entityRef: row.entityRef!,
          environment: env.id,
          keyManager: row.keyManager!,
        },
      },
    );
  }
}
