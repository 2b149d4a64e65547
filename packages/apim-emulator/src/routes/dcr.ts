/** `POST /client-registration/v0.17/register` (contract 2.1). */
import express, { Router } from 'express';
import { parseBasic } from '../auth';
import { randomSecret, type EmulatorContext } from '../context';
import { errorBody } from '../errors';
import type { DcrClient } from '../state';

const STRIPPED_GRANTS = new Set(['authorization_code', 'implicit']);

export function dcrRouter(ctx: EmulatorContext): Router {
  const router = Router();
  router.post(
    '/client-registration/v0.17/register',
    express.json({ type: () => true, strict: false }),
    (req, res) => {
      const basic = parseBasic(req.headers.authorization);
      const user = basic && ctx.users.authenticate(basic.user, basic.password);
      if (!user) {
        res
          .status(401)
          .json(errorBody(401, 'Unauthorized', 'Authentication failed', []));
        return;
      }
      const body = (req.body ?? {}) as Record<string, unknown>;
      const owner = typeof body.owner === 'string' ? body.owner.trim() : '';
      const clientName =
        typeof body.clientName === 'string' ? body.clientName.trim() : '';
      if (!owner) {
        res
          .status(400)
          .json(
            errorBody(400, 'Bad Request', 'Application owner is mandatory'),
          );
        return;
      }
      if (!clientName) {
        res
          .status(400)
          .json(errorBody(400, 'Bad Request', 'Application name is mandatory'));
        return;
      }
      const isAdmin = user.roles.includes('admin');
      if (owner !== user.username && !isAdmin) {
        res
          .status(400)
          .json(
            errorBody(
              400,
              'Bad Request',
              `Logged in user '${user.username}' and application owner '${owner}' should be same.`,
            ),
          );
        return;
      }
      const { store } = ctx;
      const existing = store.dcrClients.find(c => c.clientName === clientName);
      let client: DcrClient;
      if (existing) {
        if (existing.owner !== user.username && !isAdmin) {
          res
            .status(403)
            .json(
              errorBody(
                403,
                'Forbidden',
                'Not authorized to access the OAuth application',
              ),
            );
          return;
        }
        client = existing;
      } else {
        const grants =
          typeof body.grantType === 'string' && body.grantType.trim()
            ? body.grantType
                .trim()
                .split(/\s+/)
                .filter(g => !STRIPPED_GRANTS.has(g))
            : ['client_credentials', 'password', 'refresh_token'];
        client = {
          clientId: randomSecret(20),
          clientSecret: randomSecret(20),
          clientName,
          owner,
          grantTypes: grants,
          callbackUrl:
            typeof body.callbackUrl === 'string' ? body.callbackUrl : '',
          tokenType:
            typeof body.tokenType === 'string' ? body.tokenType : 'JWT',
          saasApp: body.saasApp !== false,
        };
        store.dcrClients.push(client);
        ctx.changed();
      }
      res.status(200).json({
        clientId: client.clientId,
        clientName: client.clientName,
        callBackURL: client.callbackUrl || null,
        clientSecret: client.clientSecret,
        isSaasApplication: client.saasApp,
        appOwner: client.owner,
        jsonString: JSON.stringify({
          grant_types: client.grantTypes.join(' '),
          redirect_uris: client.callbackUrl,
          client_name: client.clientName,
        }),
        jsonAppAttribute: '{}',
        applicationUUID: null,
        tokenType: client.tokenType,
      });
    },
  );
  return router;
}
