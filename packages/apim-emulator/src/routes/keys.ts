/**
 * Key mappings of an application: map-keys (6), oauth-keys list/get (7), delete and clean-up (9),
 * generate-token (10).
 */
import { Router, type Request } from 'express';
import { principalOf, requireScopes } from '../auth';
import { jsonBody, type EmulatorContext } from '../context';
import { errors } from '../errors';
import { takeFault } from '../faults';
import {
  KeyManagerTransportError,
  type KmClientInfo,
} from '../key-manager-client';
import type { StateKeyMapping } from '../types';
import { ownedApplication } from './applications';
import { handle } from './handler';
import { generateTokenRoutes } from './generate-token';
import { keyRemovalRoutes } from './key-removal';
import {
  keyManagerAccess,
  type ClientLookup,
  type TokenDto,
} from './km-access';

const KEY_SCOPES = ['apim:subscribe', 'apim:app_manage'];
const MAP_KEYS_PROPERTIES = [
  'consumerKey',
  'consumerSecret',
  'keyManager',
  'keyType',
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

export function keysRouter(ctx: EmulatorContext): Router {
  const router = Router();
  const { store, users, logger } = ctx;
  const auth = requireScopes(store, users, KEY_SCOPES);

  const { readClient, mintToken, transportFailure } = keyManagerAccess(ctx);

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
      // Unknown, disabled, or listed as enabled but not loaded yet (CONTRACT 6.5, 14.1).
      if (!km || !km.enabled || store.isNotLoaded(km))
        throw errors.keyManagerNotRegistered();
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
          if (e instanceof KeyManagerTransportError)
            throw await transportFailure(km, e); // 500/500 after retries (CONTRACT 14.1)
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

      // The table's primary key is (application, key type, KM): a concurrent map-keys that
      // passed the duplicate check first loses the insert with 500/900967 (CONTRACT 14.2.3).
      if (
        store.keyMappings.some(
          m =>
            m.applicationId === app.applicationId &&
            m.keyType === keyType &&
            m.keyManagerId === km.id,
        )
      ) {
        logger.warn('map-keys: lost the insert race on the primary key', {
          applicationId: app.applicationId,
          keyType,
          keyManager: km.name,
        });
        throw errors.generalError();
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
          // The answer's tokenScopes is always [] (CONTRACT 14.1, row 6.4).
          token = {
            ...(await mintToken(km, consumerKey, consumerSecret!, ['default'])),
            tokenScopes: [],
          };
        } catch (e) {
          logger.warn('map-keys: token generation failed after insert', {
            keyMappingId: mapping.keyMappingId,
            error: (e as Error).message,
          });
          throw errors.generalError();
        }
      }

      ctx.gatewayCache.registered(mapping); // APPLICATION_REGISTRATION_CREATE (CONTRACT 6.2 step 11)
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
          // Unreachable KM: the whole listing fails; a KM that answered: the row is skipped (CONTRACT 14.1).
          if (e instanceof KeyManagerTransportError)
            throw await transportFailure(km, e);
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

  router.use(keyRemovalRoutes(ctx));

  router.use(generateTokenRoutes(ctx));

  return router;
}
