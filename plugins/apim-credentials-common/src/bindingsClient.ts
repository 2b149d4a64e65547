/**
 * The application-binding routes of the backend (issue 10 item 1) as client methods, mixed into
 * ApimCredentialsClient like the subscription and approval methods: they share its request path
 * (token, task id, source header, coded errors).
 */
import type { RequestOptions } from './client';
import type {
  ApplicationBinding,
  BindRequest,
  BindingCandidate,
} from './bindings';
import { RequestFn, toSearch } from './http';

/**
 * The application-binding routes of the backend.
 *
 * @public
 */
export interface ApimBindingsApi {
  /**
   * The recorded application bindings (`GET /bindings`, issue 10 item 1), optionally for one
   * entity or instance. Needs `apim.audit.read` or `apim.applications.bind` (403 otherwise).
   */
  getBindings(
    query?: { entityRef?: string; instance?: string },
    options?: RequestOptions,
  ): Promise<ApplicationBinding[]>;
  /**
   * Applications that exist in API-M, are named by an entity's annotation and are bound to no
   * entity (`GET /bindings/candidates`), with the entities that name them.
   */
  getBindingCandidates(options?: RequestOptions): Promise<BindingCandidate[]>;
  /**
   * Binds an existing application to the entity whose annotation names it (`POST /bindings`,
   * audited as `bind`). 403 without `apim.applications.bind`, 400 when the entity's annotation
   * names another application, 409 when it is bound already.
   */
  bindApplication(
    body: BindRequest,
    options?: RequestOptions,
  ): Promise<ApplicationBinding & { auditId: string }>;
  /** Removes a binding (`DELETE /bindings/:instance/:applicationId`, audited as `unbind`); 404 when none. */
  unbindApplication(
    binding: { instance: string; applicationId: string },
    options?: RequestOptions,
  ): Promise<ApplicationBinding & { auditId: string }>;
}

/**
 * The binding methods over `request`, for ApimCredentialsClient.
 *
 * @internal
 */
export function bindingMethods(request: RequestFn): ApimBindingsApi {
  return {
    getBindings: (query, options) =>
      request('GET', `/bindings${toSearch(query)}`, undefined, options),
    getBindingCandidates: options =>
      request('GET', '/bindings/candidates', undefined, options),
    bindApplication: (body, options) =>
      request('POST', '/bindings', body, options),
    unbindApplication: (binding, options) =>
      request(
        'DELETE',
        `/bindings/${encodeURIComponent(binding.instance)}/${encodeURIComponent(
          binding.applicationId,
        )}`,
        undefined,
        options,
      ),
  };
}
