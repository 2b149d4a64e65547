/**
 * Removing a key mapping: `DELETE .../oauth-keys/{id}` per release (CONTRACT 9.2, 14.1, 14.3) and
 * `POST .../clean-up` (CONTRACT 9.1). Neither deletes a MAPPED client in its key manager.
 */
import { Router } from 'express';
import { principalOf, requireScopes } from '../auth';
import type { EmulatorContext } from '../context';
import { errors } from '../errors';
import type { StateApplication } from '../types';
import { ownedApplication } from './applications';
import { handle } from './handler';

const KEY_SCOPES = ['apim:subscribe', 'apim:app_manage'];

export function keyRemovalRoutes(ctx: EmulatorContext): Router {
  const router = Router();
  const { store, users } = ctx;
  const auth = requireScopes(store, users, KEY_SCOPES);

  router.delete(
    '/applications/:applicationId/oauth-keys/:keyMappingId',
    (_req, res, next) => {
      // 4.2 has no such resource (CONTRACT 9.2, 14.3 row 1); `hasDeleteEndpoint: false` forces it.
      if (
        !store.config.hasDeleteEndpoint ||
        store.profile().deleteOAuthKeys === 'absent'
      ) {
        res.status(405).setHeader('allow', 'GET, PUT');
        res.end();
        return;
      }
      next();
    },
    auth,
    handle(ctx, (req, res) => {
      const { applicationId, keyMappingId } = req.params;
      let app: StateApplication | undefined;
      if (store.profile().deleteOAuthKeys === 'checked') {
        // 4.6: 404 unknown app, 403 not the owner (CONTRACT 9.2, 14.1).
        app = ownedApplication(ctx, applicationId, principalOf(res).username);
      } else {
        // 4.3 to 4.5: no checks; an unknown app is a null pointer, anybody may delete (CONTRACT 14.1).
        app = store.applications.find(a => a.applicationId === applicationId);
        if (!app) throw errors.internal();
      }
      const m = store.keyMappings.find(
        x =>
          x.applicationId === app!.applicationId &&
          x.keyMappingId === keyMappingId,
      );
      if (!m) throw errors.internal(); // null dereference (CONTRACT 9.2)
      store.keyMappings = store.keyMappings.filter(x => x !== m);
      ctx.changed();
      ctx.gatewayCache.removed(m); // REMOVE_APPLICATION_KEYMAPPING (CONTRACT 9.2, 14.2.4)
      res.status(200).end();
    }),
  );

  // No owner check, unknown mapping = no-op, unknown app = 500 (CONTRACT 9.1). Publishes no
  // event: gateways keep accepting the client's tokens (CONTRACT 14.2.4).
  router.post(
    '/applications/:applicationId/oauth-keys/:keyMappingId/clean-up',
    auth,
    handle(ctx, (req, res) => {
      const app = store.applications.find(
        a => a.applicationId === req.params.applicationId,
      );
      if (!app) throw errors.internal();
      const before = store.keyMappings.length;
      store.keyMappings = store.keyMappings.filter(
        x =>
          !(
            x.applicationId === app.applicationId &&
            x.keyMappingId === req.params.keyMappingId
          ),
      );
      if (store.keyMappings.length !== before) ctx.changed();
      res.status(200).end();
    }),
  );

  return router;
}
