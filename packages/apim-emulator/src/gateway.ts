/**
 * The API gateway (WSO2 serves it on 8243; here on the same port): `{context}/{version}/...` of
 * the seeded APIs, guarded by an OAuth2 bearer token whose client is mapped to an application
 * subscribed to the API.
 */
import { Router, type Response } from 'express';
import { decodeJwt } from 'jose';
import { bearer, findValidToken } from './auth';
import type { EmulatorContext } from './context';
import { gatewayFault } from './errors';
import type { ApiDefinition, KeyManager } from './state';

const MENU = [
  {
    name: 'BBQ Chicken Bacon',
    description:
      'Grilled white chicken, hickory-smoked bacon and fresh sliced onions in barbeque sauce',
    price: '20.99',
    icon: '/images/6.png',
  },
  {
    name: 'Chicken Parmesan',
    description: 'Grilled chicken, fresh tomatoes, feta and mozzarella cheese',
    price: '16.99',
    icon: '/images/1.png',
  },
  {
    name: 'Garden Fresh',
    description:
      'Slices onions and green peppers, gourmet mushrooms, black olives and ripe Roma tomatoes',
    price: '14.49',
    icon: '/images/3.png',
  },
];

function invalidCredentials(res: Response) {
  res
    .status(401)
    .setHeader(
      'www-authenticate',
      'OAuth2 realm="WSO2 API Manager", error="invalid_token", error_description="The provided token is invalid"',
    )
    .json(
      gatewayFault(
        900901,
        'Invalid Credentials',
        'Invalid Credentials. Make sure you have provided the correct security credentials',
      ),
    );
}

function forbidden(res: Response) {
  res
    .status(403)
    .json(
      gatewayFault(
        900908,
        'Resource forbidden ',
        'User is NOT authorized to access the Resource. API Subscription validation failed.',
      ),
    );
}

export function gatewayRouter(ctx: EmulatorContext): Router {
  const router = Router();
  const { store, logger } = ctx;

  /** -> { clientId, keyManagers } or undefined when the token is not valid. */
  async function authenticate(
    token: string,
  ): Promise<{ clientId: string; kms: KeyManager[] } | undefined> {
    if (token.split('.').length === 3) {
      let iss: string | undefined;
      try {
        iss = decodeJwt(token).iss;
      } catch {
        return undefined;
      }
      const kms = store.keyManagers.filter(
        km => km.enabled && ctx.externalClient(km)?.issuer === iss,
      );
      const client = kms.length ? ctx.externalClient(kms[0]) : undefined;
      if (!client) return undefined;
      try {
        const payload = await client.verifyJwt(token);
        const clientId = (payload.client_id ?? payload.azp) as
          | string
          | undefined;
        return clientId ? { clientId, kms } : undefined;
      } catch (e) {
        logger.info('gateway: JWT rejected', { error: (e as Error).message });
        return undefined;
      }
    }
    const issued = findValidToken(store, token);
    const resident = store.keyManagers.filter(
      km => km.type === 'default' && km.enabled,
    );
    return issued ? { clientId: issued.clientId, kms: resident } : undefined;
  }

  function mount(api: ApiDefinition) {
    router.all(`${api.context}/${api.version}/*`, async (req, res) => {
      try {
        const token = bearer(req.headers.authorization);
        if (!token) {
          res
            .status(401)
            .json(
              gatewayFault(
                900902,
                'Missing Credentials',
                "Invalid Credentials. Make sure your API invocation call has a header: 'Authorization : Bearer ***'",
              ),
            );
          return;
        }
        const who = await authenticate(token);
        if (!who) {
          invalidCredentials(res);
          return;
        }
        // The gateway knows key mappings from events, not from the database (CONTRACT 14.2.4).
        const key = ctx.gatewayCache.resolveKey(
          who.kms.map(k => k.id),
          who.clientId,
        );
        const app = store.applications.find(
          a => a.applicationId === key?.applicationId,
        );
        const sub =
          app &&
          store.subscriptions.find(
            s => s.applicationId === app.applicationId && s.apiId === api.id,
          );
        // A pending or rejected application is unknown to the gateway until approved (CONTRACT 14.2.2);
        // only an UNBLOCKED subscription lets traffic through, PROD_ONLY_BLOCKED still lets sandbox
        // keys in, ON_HOLD/BLOCKED/REJECTED none (CONTRACT 11, 14.1).
        const subscribed =
          app?.status === 'APPROVED' &&
          (sub?.status === 'UNBLOCKED' ||
            (sub?.status === 'PROD_ONLY_BLOCKED' &&
              key?.keyType === 'SANDBOX'));
        if (!subscribed) {
          forbidden(res);
          return;
        }
        const resource = req.path.slice(`${api.context}/${api.version}`.length);
        if (
          api.name === 'PizzaShackAPI' &&
          req.method === 'GET' &&
          resource === '/menu'
        ) {
          res.status(200).json(MENU);
          return;
        }
        res.status(200).json({ api: api.name, method: req.method, resource });
      } catch (e) {
        logger.error('gateway error', { error: (e as Error).message });
        res
          .status(500)
          .json(
            gatewayFault(
              101503,
              'Runtime Error',
              'Error connecting to the back end',
            ),
          );
      }
    });
  }

  // Only deployed APIs have a gateway route: a CREATED or RETIRED API is not on the gateway (CONTRACT 11).
  store.apis
    .filter(
      a => a.lifeCycleStatus !== 'CREATED' && a.lifeCycleStatus !== 'RETIRED',
    )
    .forEach(mount);
  return router;
}
