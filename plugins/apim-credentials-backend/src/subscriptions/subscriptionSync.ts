/**
 * `POST /entities/:kind/:namespace/:name/subscriptions/:environment/sync[?dryRun=true]`
 * `{ removeUndeclared? }` (issue 16): makes the application's subscriptions match the entity's
 * `consumesApis`. The dry run answers the plan (`items`) and changes nothing; the run applies it
 * API by API (`results`, each `succeeded` / `unchanged` / `failed` with its error) and is
 * idempotent: a second run has nothing to do. Undeclared subscriptions are removed only with
 * `removeUndeclared: true`.
 *
 * Without `apim.subscriptions.manage` on the entity: 403 and one `denied` row, before API-M is
 * asked (also for a dry run, flagged as one).
 */
import express, { Request } from 'express';
import type {
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { apimSubscriptionsManagePermission } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { Access } from '../access';
import { errorCodeOf } from '../errors';
import { parse } from '../parse';
import type { AuditedChange, ChangeSubject } from './subscriptionAudit';
import {
  dryRunSchema,
  syncBodySchema,
  syncPathSchema,
} from './subscriptionRequests';
import type {
  ApiEntityLoader,
  SubscriberEntity,
  SubscriptionsService,
  SyncItem,
} from './SubscriptionsService';

export function registerSyncRoute(
  router: express.Router,
  deps: {
    httpAuth: HttpAuthService;
    access: Pick<Access, 'isAllowed' | 'entityOf'>;
    subscriptions: SubscriptionsService;
    change: AuditedChange;
    apiLoader(credentials: BackstageCredentials): ApiEntityLoader;
  },
): void {
  const { httpAuth, access, subscriptions, change } = deps;

  router.post(
    '/entities/:kind/:namespace/:name/subscriptions/:environment/sync',
    async (req, res) => {
      const params = parse(syncPathSchema, req.params, 'path');
      const dryRun =
        parse(dryRunSchema, req.query.dryRun, 'query dryRun') === 'true';
      const body = parse(syncBodySchema, req.body ?? {}, 'body');
      const credentials = await httpAuth.credentials(req);
      const subject = await access.entityOf(params, credentials);
      const base = {
        entityRef: subject.entityRef,
        environment: params.environment,
        applicationName: subject.applicationName,
      };
      const allowed = await access.isAllowed(
        credentials,
        apimSubscriptionsManagePermission,
        subject.entityRef,
      );
      if (!allowed) {
        // Denied before the plan is made: change() leaves the `denied` row and throws the 403.
        await change(req, credentials, 'subscribe', { ...base, dryRun }, () =>
          Promise.resolve({ outcome: 'unchanged' as const }),
        );
      }
      const loader = deps.apiLoader(credentials);
      const { view, items } = await subscriptions.plan(
        params.environment,
        subject,
        loader,
        { removeUndeclared: body.removeUndeclared ?? false },
      );
      const summary = {
        environment: view.environment,
        application: view.application,
        unresolved: view.unresolved,
      };
      if (dryRun) {
        res.json({ dryRun: true, ...summary, items });
        return;
      }
      // One API's failure does not stop the others: each has its own result and audit row.
      const results = [];
      for (const item of items) {
        try {
          const done = await apply(
            req,
            credentials,
            subject,
            view.environment,
            item,
            loader,
          );
          results.push({ ...item, outcome: done.outcome });
        } catch (error) {
          if (errorCodeOf(error) === 'PERMISSION_DENIED') throw error;
          results.push({
            ...item,
            outcome: 'failed',
            error: {
              code: errorCodeOf(error),
              message: (error as Error).message,
            },
          });
        }
      }
      res.json({ dryRun: false, ...summary, results });
    },
  );

  /** One item of the plan, as its own audited change. */
  function apply(
    req: Request,
    credentials: BackstageCredentials,
    subject: SubscriberEntity,
    environment: string,
    item: SyncItem,
    loader: ApiEntityLoader,
  ) {
    const about: ChangeSubject = {
      entityRef: subject.entityRef,
      environment,
      applicationName: subject.applicationName,
      apiRef: item.apiRef,
      apiId: item.apiId,
      apiName: item.name
        ? `${item.name}${item.version ? ` ${item.version}` : ''}`
        : undefined,
    };
    const label = `${about.apiName ?? item.apiId}${
      item.apiRef ? ` (${item.apiRef})` : ''
    }`;
    if (item.action === 'subscribe') {
      return change(req, credentials, 'subscribe', about, async () => {
        const entity = await loader(item.apiRef!);
        if (!entity) throw new Error(`${label} left the catalog`);
        return subscriptions.subscribe(about.environment, subject, entity);
      });
    }
    return change(req, credentials, 'unsubscribe', about, () =>
      subscriptions.unsubscribe(about.environment, subject, item.apiId, label),
    );
  }
}
