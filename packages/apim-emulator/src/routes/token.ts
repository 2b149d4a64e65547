/** `POST /oauth2/token` of the resident key manager (contract 2.2): password, client_credentials, refresh_token. */
import express, { Router, type Response } from 'express';
import { grantScopes, parseBasic, safeEqual } from '../auth';
import type { EmulatorContext } from '../context';

function oauthError(
  res: Response,
  status: number,
  error: string,
  description: string,
) {
  res.status(status).json({ error, error_description: description });
}

export function tokenRouter(ctx: EmulatorContext): Router {
  const router = Router();
  router.post(
    '/oauth2/token',
    express.urlencoded({ extended: false, type: () => true }),
    (req, res) => {
      res.setHeader('cache-control', 'no-store');
      const form = (req.body ?? {}) as Record<string, string>;
      const basic = parseBasic(req.headers.authorization);
      const clientId = basic?.user ?? form.client_id;
      const clientSecret = basic?.password ?? form.client_secret;
      const { store } = ctx;
      const client = store.dcrClients.find(c => c.clientId === clientId);
      if (
        !client ||
        !clientSecret ||
        !safeEqual(client.clientSecret, clientSecret)
      ) {
        oauthError(res, 401, 'invalid_client', 'Client Authentication failed.');
        return;
      }
      const grant = form.grant_type;
      if (!grant) {
        oauthError(
          res,
          400,
          'invalid_request',
          'Missing grant_type parameter value',
        );
        return;
      }
      if (!client.grantTypes.includes(grant)) {
        oauthError(
          res,
          400,
          'unauthorized_client',
          'The authenticated client is not authorized to use this authorization grant type',
        );
        return;
      }
      const requested = (form.scope ?? '').split(/\s+/).filter(Boolean);
      let username: string;
      let roles: string[];
      if (grant === 'password') {
        const user = ctx.users.authenticate(
          form.username ?? '',
          form.password ?? '',
        );
        if (!user) {
          oauthError(
            res,
            400,
            'invalid_grant',
            `Authentication failed for ${form.username ?? ''}`,
          );
          return;
        }
        username = user.username;
        roles = user.roles;
      } else if (grant === 'client_credentials') {
        username = client.owner;
        roles = ctx.users.get(client.owner)?.roles ?? [];
      } else if (grant === 'refresh_token') {
        const old = store.tokens.find(
          t => t.refreshToken && t.refreshToken === form.refresh_token,
        );
        if (!old || old.clientId !== client.clientId) {
          oauthError(
            res,
            400,
            'invalid_grant',
            'Persisted access token data not found',
          );
          return;
        }
        store.tokens = store.tokens.filter(t => t !== old);
        username = old.username;
        roles = ctx.users.get(username)?.roles ?? [];
        if (!requested.length) requested.push(...old.scopes);
      } else {
        oauthError(
          res,
          400,
          'unsupported_grant_type',
          'Unsupported grant_type value',
        );
        return;
      }
      const scopes = grantScopes(requested, roles);
      const token = ctx.issueToken(
        client,
        username,
        scopes,
        grant !== 'client_credentials',
      );
      res.status(200).json({
        access_token: token.accessToken,
        ...(token.refreshToken ? { refresh_token: token.refreshToken } : {}),
        scope: scopes.join(' '),
        token_type: 'Bearer',
        expires_in: Math.round((token.expiresAt - Date.now()) / 1000),
      });
    },
  );
  return router;
}
