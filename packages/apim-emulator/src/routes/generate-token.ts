/** `POST .../oauth-keys/{keyMappingId}/generate-token` (CONTRACT 10, 14.1). */
import { Router } from 'express';
import { principalOf, requireScopes } from '../auth';
import { jsonBody, type EmulatorContext } from '../context';
import { ApiError, errorBody, errors } from '../errors';
import { ownedApplication } from './applications';
import { handle } from './handler';
import { keyManagerAccess } from './km-access';

const KEY_SCOPES = ['apim:subscribe', 'apim:app_manage'];
const TOKEN_PROPERTIES = [
  'consumerSecret',
  'validityPeriod',
  'scopes',
  'revokeToken',
  'grantType',
  'additionalProperties',
];

export function generateTokenRoutes(ctx: EmulatorContext): Router {
  const router = Router();
  const { store, users } = ctx;
  const auth = requireScopes(store, users, KEY_SCOPES);
  const { readClient, mintToken } = keyManagerAccess(ctx);

  // 10. generate-token
  router.post(
    '/applications/:applicationId/oauth-keys/:keyMappingId/generate-token',
    auth,
    handle(ctx, async (req, res) => {
      const body = jsonBody(req, TOKEN_PROPERTIES)!;
      const app = ownedApplication(
        ctx,
        req.params.applicationId,
        principalOf(res).username,
      );
      const m = store.keyMappings.find(
        x =>
          x.applicationId === app.applicationId &&
          x.keyMappingId === req.params.keyMappingId,
      );
      if (!m) throw errors.internal();
      if (body.validityPeriod === undefined || body.validityPeriod === null)
        throw errors.internal();
      // `scopes` defaults to []; only an explicit null (or a non-list) is a 500 (CONTRACT 14.1).
      if (body.scopes === undefined) body.scopes = [];
      if (!Array.isArray(body.scopes)) throw errors.internal();
      const km = store.findKeyManagerById(m.keyManagerId);
      if (!km) throw errors.internal();
      const bad = (code: number, description: string) =>
        new ApiError(400, errorBody(code, 'Bad Request', description));
      if (!km.enabled) throw bad(901406, `Key Manager ${km.name} is disabled`);
      if (!km.enableTokenGeneration) {
        throw bad(
          901405,
          `Key Manager ${km.name} doesn't support token generation`,
        );
      }
      const grantType = body.grantType ?? 'CLIENT_CREDENTIALS';
      if (
        grantType !== 'CLIENT_CREDENTIALS' &&
        grantType !== 'TOKEN_EXCHANGE'
      ) {
        throw errors.validation(['grantType']);
      }
      if (grantType === 'TOKEN_EXCHANGE') {
        const extra = body.additionalProperties as
          | Record<string, unknown>
          | undefined;
        if (!extra?.subject_token)
          throw bad(400, 'Subject token is required for token exchange');
        throw bad(
          901405,
          `Key Manager ${km.name} doesn't support token exchange`,
        );
      }
      let secret =
        typeof body.consumerSecret === 'string' && body.consumerSecret
          ? body.consumerSecret
          : null;
      if (!secret) {
        try {
          secret = (await readClient(km, m.consumerKey))?.clientSecret ?? null;
        } catch (e) {
          throw bad(
            900967,
            `Error while retrieving the OAuth application: ${
              (e as Error).message
            }`,
          );
        }
      }
      if (!secret)
        throw bad(
          900967,
          'Consumer secret of the OAuth application is not available',
        );
      try {
        const token = await mintToken(
          km,
          m.consumerKey,
          secret,
          (body.scopes as unknown[]).map(String),
        );
        res.status(200).json(token);
      } catch (e) {
        throw bad(
          900967,
          `Error while generating token: ${(e as Error).message}`,
        );
      }
    }),
  );

  return router;
}
