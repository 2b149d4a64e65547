/** Subscriptions (CONTRACT 11, 14.1, 14.2.2): WSO2's checks in WSO2's order, workflow states. */
import { Router } from 'express';
import { principalOf, requireScopes } from '../auth';
import { jsonBody, type EmulatorContext } from '../context';
import { pagination, subscriptionDto } from '../dto';
import { errors } from '../errors';
import type { StateSubscription } from '../types';
import { SUBSCRIBABLE_STATES, visibleApi } from './apis';
import { ownedApplication } from './applications';
import { handle, intParam } from './handler';

const SUB_SCOPES = ['apim:subscribe', 'apim:sub_manage'];
const SUBSCRIPTION_PROPERTIES = [
  'subscriptionId',
  'applicationId',
  'apiId',
  'apiInfo',
  'applicationInfo',
  'throttlingPolicy',
  'requestedThrottlingPolicy',
  'status',
  'redirectionParams',
];

export function subscriptionsRouter(ctx: EmulatorContext): Router {
  const router = Router();
  const { store, users } = ctx;
  const auth = requireScopes(store, users, SUB_SCOPES);

  router.post(
    '/subscriptions',
    auth,
    handle(ctx, (req, res) => {
      const body = jsonBody(req, SUBSCRIPTION_PROPERTIES)!;
      const missing = ['applicationId', 'throttlingPolicy'].filter(
        f => body[f] === undefined || body[f] === null,
      );
      if (missing.length) throw errors.validation(missing);
      if (typeof body.apiId !== 'string' || !body.apiId) {
        throw errors.badRequest(
          'Either apiId or apiProductId should be specified',
        );
      }
      const { username } = principalOf(res);
      // WSO2 checks the API's visibility before the application (SubscriptionsApiServiceImpl).
      const api = visibleApi(
        store,
        body.apiId,
        users.get(username)?.roles ?? [],
      );
      const app = ownedApplication(ctx, String(body.applicationId), username);
      // Pending or rejected applications cannot subscribe (CONTRACT 14.2.2).
      if (app.status !== 'APPROVED')
        throw errors.badRequest('Workflow status is not Approved');
      // Listed but not subscribable (DEPRECATED, BLOCKED): "Subscriptions not allowed on APIs in
      // the state ..." is an APIMgtResourceNotFoundException, hence 404 (CONTRACT 11).
      if (!SUBSCRIBABLE_STATES.includes(api.lifeCycleStatus))
        throw errors.notFound('API', api.id);
      const tier = String(body.throttlingPolicy);
      if (!api.tiers.includes(tier)) {
        throw errors.badRequest(
          `Tier ${tier} is not allowed for API ${api.name}-${
            api.version
          }. Only ${api.tiers.join(', ')} Tiers are allowed.`,
        );
      }
      if (
        store.subscriptions.some(
          s => s.applicationId === app.applicationId && s.apiId === api.id,
        )
      ) {
        throw errors.conflict(
          'Resource Already Exists',
          `You have already subscribed to API ${api.name}-${api.version} with application ${app.name}`,
        );
      }
      // Always 201; under a subscription workflow the row waits ON_HOLD (CONTRACT 14.1).
      const sub: StateSubscription = {
        subscriptionId: store.newId(),
        applicationId: app.applicationId,
        apiId: api.id,
        throttlingPolicy: tier,
        status: store.config.subscriptionApprovalWorkflow
          ? 'ON_HOLD'
          : 'UNBLOCKED',
      };
      store.subscriptions.push(sub);
      ctx.changed();
      res
        .status(201)
        .location(`/subscriptions/${sub.subscriptionId}`)
        .json(subscriptionDto(store, sub));
    }),
  );

  router.get(
    '/subscriptions',
    auth,
    handle(ctx, (req, res) => {
      const { username } = principalOf(res);
      const limit = intParam(req.query.limit, 25);
      const offset = intParam(req.query.offset, 0);
      let subs: StateSubscription[];
      if (
        typeof req.query.applicationId === 'string' &&
        req.query.applicationId
      ) {
        const app = ownedApplication(ctx, req.query.applicationId, username);
        subs = store.subscriptions.filter(
          s => s.applicationId === app.applicationId,
        );
      } else if (typeof req.query.apiId === 'string' && req.query.apiId) {
        const mine = new Set(
          store.applications
            .filter(a => a.owner === username)
            .map(a => a.applicationId),
        );
        subs = store.subscriptions.filter(
          s => s.apiId === req.query.apiId && mine.has(s.applicationId),
        );
      } else {
        throw errors.badRequest(
          'Either applicationId or apiId should be available',
        );
      }
      const page = subs.slice(offset, offset + limit);
      res.status(200).json({
        count: page.length,
        list: page.map(s => subscriptionDto(store, s)),
        pagination: pagination('subscriptions', offset, limit, subs.length),
      });
    }),
  );

  function ownedSubscription(id: string, username: string) {
    const sub = store.subscriptions.find(s => s.subscriptionId === id);
    if (!sub) throw errors.notFound('Subscription', id);
    const app = store.applications.find(
      a => a.applicationId === sub.applicationId,
    );
    if (!app || app.owner !== username) {
      throw errors.forbidden(
        `You don't have permission to access the subscription with Id ${id}`,
      );
    }
    return sub;
  }

  router.get(
    '/subscriptions/:subscriptionId',
    auth,
    handle(ctx, (req, res) => {
      const sub = ownedSubscription(
        req.params.subscriptionId,
        principalOf(res).username,
      );
      res.status(200).json(subscriptionDto(store, sub));
    }),
  );

  router.delete(
    '/subscriptions/:subscriptionId',
    auth,
    handle(ctx, (req, res) => {
      const sub = ownedSubscription(
        req.params.subscriptionId,
        principalOf(res).username,
      );
      store.subscriptions = store.subscriptions.filter(s => s !== sub);
      ctx.changed();
      res.status(200).end();
    }),
  );

  return router;
}
