/**
 * The devportal's API catalogue (`GET /apis`, `GET /apis/{apiId}`) and the visibility rules that
 * `POST /subscriptions` shares with it (CONTRACT 11; devportal-api.yaml `/apis`).
 */
import { Router, type Request } from 'express';
import { bearer, findValidToken, parseBasic, type Users } from '../auth';
import type { EmulatorContext } from '../context';
import { apiDto, apiInfoDto, pagination } from '../dto';
import { errors } from '../errors';
import type { ApiDefinition, Store } from '../state';
import { handle, intParam } from './handler';

/** States the devportal lists and accepts subscriptions for (WSO2 APIConsumerImpl.addSubscription). */
export const SUBSCRIBABLE_STATES = ['PUBLISHED', 'PROTOTYPED'];
/** States the devportal shows at all: a CREATED or RETIRED API is "not found" there. */
const LISTED_STATES = ['PUBLISHED', 'PROTOTYPED', 'DEPRECATED', 'BLOCKED'];

/**
 * Roles of the caller: `/apis` needs no Authorization header, but one that is sent is validated
 * (devportal-api.yaml `/apis` NOTE) -> 401 for a bad one; anonymous callers see PUBLIC APIs only.
 */
export function callerRoles(
  store: Store,
  users: Users,
  req: Request,
): string[] {
  const header = req.headers.authorization;
  if (!header) return [];
  const token = bearer(header);
  const username = token
    ? findValidToken(store, token)?.username
    : (() => {
        const b = parseBasic(header);
        return b && users.authenticate(b.user, b.password)?.username;
      })();
  const user = username ? users.get(username) : undefined;
  if (!user) throw errors.unauthenticated();
  return user.roles;
}

/** Whether users with `roles` may see `api` (RESTRICTED visibility: one of its roles; admin sees all). */
export function visibleTo(api: ApiDefinition, roles: string[]): boolean {
  if (api.visibility === 'PUBLIC' || roles.includes('admin')) return true;
  return api.visibleRoles.some(r => roles.includes(r));
}

/** One `attribute:value` term of the search: `*` is a wildcard, the match ignores case. */
function termMatches(value: string, pattern: string, substring: boolean) {
  const escaped = pattern
    .split('*')
    .map(p => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const re = new RegExp(substring ? escaped : `^${escaped}$`, 'i');
  return re.test(value);
}

const SEARCH_ATTRIBUTES: Record<string, (a: ApiDefinition) => string> = {
  name: a => a.name,
  version: a => a.version,
  context: a => a.context,
  provider: a => a.provider,
  status: a => a.lifeCycleStatus,
};

/**
 * `query` of `GET /apis`: space-separated terms, all of which must match. `attr:value` compares
 * one attribute (exactly, `*` wildcards); a bare term matches the name as a substring
 * (devportal-api.yaml `/apis` query). Unknown attributes match nothing, as WSO2's property search.
 */
export function searchApis(apis: ApiDefinition[], query: string) {
  const terms = query.trim().split(/\s+/).filter(Boolean);
  const statusAsked = terms.some(t => t.toLowerCase().startsWith('status:'));
  return apis.filter(api => {
    // By default only published APIs; prototyped ones need `status:PROTOTYPED` (devportal-api.yaml).
    if (!statusAsked && api.lifeCycleStatus !== 'PUBLISHED') return false;
    return terms.every(term => {
      const i = term.indexOf(':');
      if (i < 0) return termMatches(api.name, term, true);
      const read = SEARCH_ATTRIBUTES[term.slice(0, i).toLowerCase()];
      return read ? termMatches(read(api), term.slice(i + 1), false) : false;
    });
  });
}

export function apisRouter(ctx: EmulatorContext): Router {
  const router = Router();
  const { store, users } = ctx;

  router.get(
    '/apis',
    handle(ctx, (req, res) => {
      const roles = callerRoles(store, users, req);
      const limit = intParam(req.query.limit, 25);
      const offset = intParam(req.query.offset, 0);
      const query = typeof req.query.query === 'string' ? req.query.query : '';
      const found = searchApis(
        store.apis.filter(
          a => LISTED_STATES.includes(a.lifeCycleStatus) && visibleTo(a, roles),
        ),
        query,
      );
      const page = found.slice(offset, offset + limit);
      res.status(200).json({
        count: page.length,
        list: page.map(apiInfoDto),
        pagination: pagination(
          'apis',
          offset,
          limit,
          found.length,
          query ? `query=${encodeURIComponent(query)}&` : '',
        ),
      });
    }),
  );

  router.get(
    '/apis/:apiId',
    handle(ctx, (req, res) => {
      const roles = callerRoles(store, users, req);
      // The full API object, with its gateway URLs (devportal-api.yaml `API`), not the listing's APIInfo.
      res
        .status(200)
        .json(apiDto(visibleApi(store, req.params.apiId, roles), ctx.url()));
    }),
  );

  return router;
}

/**
 * The API `apiId` as `roles` see it: unknown or not listed (CREATED, RETIRED) -> 404, RESTRICTED
 * to other roles -> 403 (WSO2 `handleAuthorizationFailure`), as `POST /subscriptions` answers too.
 */
export function visibleApi(
  store: Store,
  apiId: string,
  roles: string[],
): ApiDefinition {
  const api = store.apis.find(a => a.id === apiId);
  if (!api || !LISTED_STATES.includes(api.lifeCycleStatus)) {
    throw errors.notFound('API', apiId);
  }
  if (!visibleTo(api, roles)) {
    throw errors.forbidden(
      `You don't have permission to access the API with Id ${apiId}`,
    );
  }
  return api;
}
