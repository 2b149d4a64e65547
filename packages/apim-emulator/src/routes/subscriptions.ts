/** Subscriptions (contract 11) and a minimal read-only API catalogue. */
import { Router } from 'express';
import { principalOf, requireScopes } from '../auth';
import { jsonBody, type EmulatorContext } from '../context';
import { apiInfoDto, pagination, subscriptionDto } from '../dto';
import { errors } from '../errors';
import type { StateSubscription } from '../types';
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

  router.get(
    '/apis',
    handle(ctx, (req, res) => {
      const limit = intParam(req.query.limit, 25);
      const offset = intParam(req.query.offset, 0);
      const page = store.apis.slice(offset, offset + limit);
      res.status(200).json({
        count: page.length,
        list: page.map(apiInfoDto),
        pagination: pagination('apis', offset, limit, store.apis.length),
      });
    }),
  );

  router.get(
    '/apis/:apiId',
    handle(ctx, (req, res) => {
      const api = store.apis.find(a => a.id === req.params.apiId);
      if (!api) throw errors.notFound('API', req.params.apiId);
      res.status(200).json(apiInfoDto(api));
    }),
  );

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
      const app = ownedApplication(
        ctx,
        String(body.applicationId),
        principalOf(res).username,
      );
      // Pending or rejected applications cannot subscribe (CONTRACT 14.2.2).
      if (app.status !== 'APPROVED')
        throw errors.badRequest('Workflow status is not Approved');
      const api = store.apis.find(a => a.id === body.apiId);
      if (!api) throw errors.notFound('API', String(body.apiId));
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
      const sub: StateSubscription = {
        subscriptionId: store.newId(),
        applicationId: app.applicationId,
        apiId: api.id,
        throttlingPolicy: String(body.throttlingPolicy),
        status: 'UNBLOCKED',
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
