/**
 * Key mappings of an application: map-keys (6), oauth-keys list/get (7), delete and clean-up (9),
 * generate-token (10).
 */
import { Router, type Request } from 'express';
import { grantScopes, principalOf, requireScopes } from '../auth';
import { jsonBody, type EmulatorContext } from '../context';
import { ApiError, errorBody, errors } from '../errors';
import { takeFault } from '../faults';
import type { KmClientInfo } from '../key-manager-client';
import type { KeyManager } from '../state';
import type { StateKeyMapping } from '../types';
import { ownedApplication } from './applications';
import { handle } from './handler';

const KEY_SCOPES = ['apim:subscribe', 'apim:app_manage'];
const MAP_KEYS_PROPERTIES = [
  'consumerKey',
  'consumerSecret',
  'keyManager',
  'keyType',
];
const TOKEN_PROPERTIES = [
  'consumerSecret',
  'validityPeriod',
  'scopes',
  'revokeToken',
  'grantType',
  'additionalProperties',
];

const ADDITIONAL_PROPERTIES = {
  application_access_token_expiry_time: 3600,
  user_access_token_expiry_time: 3600,
  refresh_token_expiry_time: 86400,
  id_token_expiry_time: 3600,
  pkceMandatory: false,
  pkceSupportPlain: false,
  bypassClientCredentials: false,
};

interface TokenDto {
  accessToken: string | null;
  tokenScopes: string[];
  validityTime: number;
}

type ClientLookup = KmClientInfo | null; // null = the KM says the client does not exist

export function keysRouter(ctx: EmulatorContext): Router {
  const router = Router();
  const { store, users, logger } = ctx;
  const auth = requireScopes(store, users, KEY_SCOPES);

  /** Reads a client from a KM; throws (anything) when the KM cannot be asked. */
  async function readClient(
    km: KeyManager,
    clientId: string,
  ): Promise<ClientLookup> {
    const external = ctx.externalClient(km);
    if (external) return external.getClient(clientId);
    const c = store.dcrClients.find(x => x.clientId === clientId);
    if (!c) return null;
    return {
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      grantTypes: c.grantTypes,
      redirectUris: c.callbackUrl ? [c.callbackUrl] : [],
    };
  }

  async function mintToken(
    km: KeyManager,
    clientId: string,
    secret: string,
    scopes: string[],
  ): Promise<TokenDto> {
    const external = ctx.externalClient(km);
    if (external) {
      const t = await external.clientCredentialsToken(
        clientId,
        secret,
        scopes.filter(s => s !== 'default'),
      );
      return {
        accessToken: t.accessToken,
        tokenScopes: t.scopes,
        validityTime: t.expiresIn,
      };
    }
    const client = store.dcrClients.find(c => c.clientId === clientId);
    if (
      !client ||
      client.clientSecret !== secret ||
      !client.grantTypes.includes('client_credentials')
    ) {
      throw new Error('Resident key manager rejected the client credentials');
    }
    const granted = grantScopes(scopes, users.get(client.owner)?.roles ?? []);
    const t = ctx.issueToken(client, client.owner, granted, false);
    return {
      accessToken: t.accessToken,
      tokenScopes: granted,
      validityTime: store.config.tokenLifetimeSeconds,
    };
  }

  function keyDto(
    m: StateKeyMapping,
    keyManager: string,
    fields: {
      consumerSecret: string | null;
      client: ClientLookup | undefined;
      keyState: string | null;
      token: TokenDto;
      notValidatedGrantTypes: string[] | null;
    },
  ) {
    const client = fields.client ?? undefined;
    return {
      keyMappingId: m.keyMappingId,
      keyManager,
      consumerKey: m.consumerKey,
      consumerSecret: fields.consumerSecret,
      supportedGrantTypes: client
        ? client.grantTypes
        : fields.notValidatedGrantTypes,
      callbackUrl:
        client && client.redirectUris.length
          ? client.redirectUris.join(',')
          : null,
      keyState: fields.keyState,
      keyType: m.keyType,
      mode: m.mode,
      groupId: null,
      token: fields.token,
      additionalProperties: client ? ADDITIONAL_PROPERTIES : null,
    };
  }

  const path = (req: Request) => req.originalUrl.split('?')[0];

  // 6. map-keys
  router.post(
    '/applications/:applicationId/map-keys',
    auth,
    handle(ctx, async (req, res) => {
      const body = jsonBody(req, MAP_KEYS_PROPERTIES)!;
      const consumerKey =
        typeof body.consumerKey === 'string' ? body.consumerKey : null;
      const keyType =
        body.keyType === 'PRODUCTION' || body.keyType === 'SANDBOX'
          ? body.keyType
          : null;
      const missing = [
        ...(consumerKey === null ? ['consumerKey'] : []),
        ...(keyType === null ? ['keyType'] : []),
      ];
      if (missing.length || !consumerKey || !keyType)
        throw errors.validation(missing);
      const consumerSecret =
        typeof body.consumerSecret === 'string' ? body.consumerSecret : null;

      const app = ownedApplication(
        ctx,
        req.params.applicationId,
        principalOf(res).username,
      );
      const kmName =
        typeof body.keyManager === 'string' && body.keyManager
          ? body.keyManager
          : 'Resident Key Manager';
      const km = store.findKeyManager(kmName);
      if (!km || !km.enabled) throw errors.keyManagerNotRegistered();
      if (km.tokenType === 'EXCHANGED') throw errors.keyManagerNoAppSupport();

      const duplicate = store.keyMappings.find(
        m =>
          m.keyManagerId === km.id &&
          ((m.applicationId === app.applicationId && m.keyType === keyType) ||
            m.consumerKey === consumerKey),
      );
      if (duplicate) throw errors.keyMappingExists();

      let client: KmClientInfo | undefined;
      if (store.config.provisionedAppValidation) {
        if (consumerSecret === null) throw errors.internal();
        let found: ClientLookup;
        try {
          found = await readClient(km, consumerKey);
        } catch (e) {
          logger.warn('map-keys: key manager could not be reached', {
            keyManager: km.name,
            error: (e as Error).message,
          });
          throw errors.generalError();
        }
        if (!found) {
          logger.warn('map-keys: client not found in key manager', {
            keyManager: km.name,
            consumerKey,
          });
          throw errors.generalError();
        }
        if (found.clientSecret !== consumerSecret) {
          logger.warn('map-keys: consumer secret does not match', {
            keyManager: km.name,
            consumerKey,
          });
          throw errors.generalError();
        }
        client = found;
      }

      const mapping: StateKeyMapping = {
        keyMappingId: store.newId(),
        applicationId: app.applicationId,
        keyManagerId: km.id,
        keyManagerName: km.name,
        keyType,
        consumerKey,
        mode: 'MAPPED',
        state: 'COMPLETED',
        createdTime: String(Date.now()),
      };
      store.keyMappings.push(mapping);
      ctx.changed();

      if (takeFault(store, 'failAfterMapping', req.method, path(req))) {
        logger.warn(
          'map-keys: failAfterMapping fault, mapping row left behind',
          {
            keyMappingId: mapping.keyMappingId,
          },
        );
        throw errors.generalError();
      }

      let token: TokenDto = {
        accessToken: '',
        tokenScopes: [],
        validityTime: 0,
      };
      if (
        km.enableTokenGeneration &&
        client?.grantTypes.includes('client_credentials')
      ) {
        try {
          token = await mintToken(km, consumerKey, consumerSecret!, [
            'default',
          ]);
        } catch (e) {
          logger.warn('map-keys: token generation failed after insert', {
            keyMappingId: mapping.keyMappingId,
            error: (e as Error).message,
          });
          throw errors.generalError();
        }
      }

      res.status(200).json(
        keyDto(mapping, kmName, {
          consumerSecret,
          client,
          keyState: null,
          token,
          notValidatedGrantTypes: [],
        }),
      );
    }),
  );

  // 7.1 list
  router.get(
    '/applications/:applicationId/oauth-keys',
    auth,
    handle(ctx, async (req, res) => {
      const app = ownedApplication(
        ctx,
        req.params.applicationId,
        principalOf(res).username,
      );
      const list = [];
      for (const m of store.keyMappings.filter(
        x => x.applicationId === app.applicationId,
      )) {
        const km = store.findKeyManagerById(m.keyManagerId);
        if (!km || !km.enabled) continue; // disabled / deleted KM rows are skipped
        const token = { accessToken: null, tokenScopes: [], validityTime: 0 };
        if (!store.config.provisionedAppValidation && m.mode === 'MAPPED') {
          list.push(
            keyDto(m, km.name, {
              consumerSecret: null,
              client: undefined,
              keyState: m.state,
              token,
              notValidatedGrantTypes: null,
            }),
          );
          continue;
        }
        let client: ClientLookup;
        try {
          client = await readClient(km, m.consumerKey);
        } catch (e) {
          logger.warn('oauth-keys: skipping row, key manager lookup failed', {
            keyManager: km.name,
            error: (e as Error).message,
          });
          continue;
        }
        list.push(
          keyDto(m, km.name, {
            consumerSecret: client?.clientSecret ?? null,
            client,
            keyState: m.state,
            token,
            notValidatedGrantTypes: null,
          }),
        );
      }
      res.status(200).json({ count: list.length, list });
    }),
  );

  // 7.2 get one: no owner check, KM UUID in keyManager, unknown app -> 200 empty body.
  router.get(
    '/applications/:applicationId/oauth-keys/:keyMappingId',
    auth,
    handle(ctx, async (req, res) => {
      const app = store.applications.find(
        a => a.applicationId === req.params.applicationId,
      );
      if (!app) {
        res.status(200).end();
        return;
      }
      const m = store.keyMappings.find(
        x =>
          x.applicationId === app.applicationId &&
          x.keyMappingId === req.params.keyMappingId,
      );
      if (!m) throw errors.internal();
      const km = store.findKeyManagerById(m.keyManagerId);
      if (!km) throw errors.internal();
      let client: ClientLookup;
      try {
        client = await readClient(km, m.consumerKey);
      } catch {
        throw errors.generalError();
      }
      res.status(200).json(
        keyDto(m, km.id, {
          consumerSecret: client?.clientSecret ?? null,
          client,
          keyState: m.state,
          token: { accessToken: null, tokenScopes: [], validityTime: 0 },
          notValidatedGrantTypes: null,
        }),
      );
    }),
  );

  // 9.2 delete (API-M 4.3+): owner checked, never deletes a MAPPED client in the KM.
  router.delete(
    '/applications/:applicationId/oauth-keys/:keyMappingId',
    (_req, res, next) => {
      if (!store.config.hasDeleteEndpoint) {
        res.status(405).setHeader('allow', 'GET, PUT');
        res.end();
        return;
      }
      next();
    },
    auth,
    handle(ctx, (req, res) => {
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
      store.keyMappings = store.keyMappings.filter(x => x !== m);
      ctx.changed();
      res.status(200).end();
    }),
  );

  // 9.1 clean-up: no owner check, unknown mapping = no-op, unknown app = 500.
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
