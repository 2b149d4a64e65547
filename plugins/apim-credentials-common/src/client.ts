/**
 * The typed HTTP client of the apim-credentials backend. The frontend wraps it in an API ref;
 * the scaffolder actions use it with a plugin request token on behalf of the template's user, so
 * there is exactly one implementation of provisioning: the backend's.
 */
import { ResponseError } from '@backstage/errors';
import {
  APIM_CREDENTIALS_PLUGIN_ID,
  APIM_CREDENTIALS_SOURCE_HEADER,
  APIM_CREDENTIALS_TASK_ID_HEADER,
} from './constants';
import {
  ApimCredentialsResponseError,
  getApimCredentialsErrorCode,
} from './errors';
import type {
  AuditQuery,
  MappingsQuery,
  ProvisionRequest,
  VerifyRequest,
} from './schemas';
import type {
  AuditRecord,
  EntityCredentials,
  EnvironmentInfo,
  MappingRecord,
  Page,
  UnprovisionResult,
  VerifyResult,
} from './types';
import { cellPath, entityPath, FetchLike, toSearch } from './http';
import { ApimSubscriptionsApi, subscriptionMethods } from './subscriptions';
import type { ProvisionAnswer } from './approvals';
import { ApimApprovalsApi, approvalMethods } from './approvalsClient';
import { ApimBindingsApi, bindingMethods } from './bindingsClient';

/** @public */
export interface RequestOptions {
  /** A Backstage token; not needed in the browser, where the fetch API adds the user's token. */
  token?: string;
  /** Task id of the calling scaffolder task, recorded in the audit trail. */
  taskId?: string;
  signal?: AbortSignal;
}

/**
 * The REST API of the apim-credentials backend (PRODUCT.md section 5). Every method rejects a
 * failed call with an {@link ApimCredentialsResponseError}: its `statusCode` is the HTTP status,
 * its `code` the backend's stable `ApimCredentialsErrorCode`.
 *
 * @public
 */
export interface ApimCredentialsApi
  extends ApimSubscriptionsApi,
    ApimApprovalsApi,
    ApimBindingsApi {
  getEnvironments(options?: RequestOptions): Promise<EnvironmentInfo[]>;
  getEntityCredentials(
    entityRef: string,
    options?: RequestOptions,
  ): Promise<EntityCredentials>;
  /**
   * Maps a client (`PUT` on the cell). In an environment that requires approval (issue 14) it
   * answers `approval-pending` with the request it filed or found (HTTP 202, nothing mapped)
   * until an approved request for this cell and client exists; see isProvisionRequested.
   */
  provision(
    cell: { entityRef: string; environment: string; keyManager: string },
    body: ProvisionRequest,
    options?: RequestOptions & ProvisionOptions,
  ): Promise<ProvisionAnswer>;
  /**
   * Removes the mapping of `cell.consumerKey` (issue 10 item 2): a 409 when another client or a
   * key generated in API-M sits in the slot, so nothing is removed by mistake.
   */
  unprovision(
    cell: {
      entityRef: string;
      environment: string;
      keyManager: string;
      consumerKey: string;
    },
    options?: RequestOptions & { dryRun?: boolean },
  ): Promise<UnprovisionResult>;
  /** Verifies credentials for an entity the caller may provision (`entityRef` required). */
  verify(
    body: VerifyRequest & { entityRef: string },
    options?: RequestOptions,
  ): Promise<VerifyResult>;
  getAudit(
    query?: AuditQuery,
    options?: RequestOptions,
  ): Promise<Page<AuditRecord>>;
  getMappings(
    query?: MappingsQuery,
    options?: RequestOptions,
  ): Promise<Page<MappingRecord>>;
  getAuditExportUrl(
    query?: Omit<AuditQuery, 'limit' | 'cursor'>,
  ): Promise<string>;
}

/** @public */
export interface ProvisionOptions {
  /** Check everything and report what would happen, without changing anything. */
  dryRun?: boolean;
  /** false: fail instead of creating a missing API-M application (it cannot force creation). */
  createApplication?: boolean;
}

/** `dryRun=true` in the query of a dry run; nothing otherwise. */
function dryRunFlag(options?: { dryRun?: boolean }) {
  return options?.dryRun ? 'true' : undefined;
}

/** @public */
export class ApimCredentialsClient implements ApimCredentialsApi {
  private readonly discoveryApi: {
    getBaseUrl(pluginId: string): Promise<string>;
  };
  private readonly fetch: FetchLike;
  private readonly source?: 'ui';

  /**
   * @param options - the discovery API (and optionally the fetch API) to reach the backend;
   *   `source: 'ui'` in the browser, sent as the informational APIM_CREDENTIALS_SOURCE_HEADER so
   *   audit rows tell the UI from direct API calls.
   */
  constructor(options: {
    discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
    fetchApi?: { fetch: FetchLike };
    source?: 'ui';
  }) {
    this.discoveryApi = options.discoveryApi;
    this.source = options.source;
    this.fetch = options.fetchApi
      ? options.fetchApi.fetch.bind(options.fetchApi)
      : (input, init) => fetch(input, init);
  }

  // The subscription routes (issue 16) share this client's request path; see subscriptions.ts.
  private readonly subscriptionsApi = subscriptionMethods(
    (method, path, body, options) => this.request(method, path, body, options),
    entityPath,
  );
  getSubscriptions: ApimSubscriptionsApi['getSubscriptions'] = (...args) =>
    this.subscriptionsApi.getSubscriptions(...args);
  subscribe: ApimSubscriptionsApi['subscribe'] = (...args) =>
    this.subscriptionsApi.subscribe(...args);
  unsubscribe: ApimSubscriptionsApi['unsubscribe'] = (...args) =>
    this.subscriptionsApi.unsubscribe(...args);
  syncSubscriptions: ApimSubscriptionsApi['syncSubscriptions'] = (...args) =>
    this.subscriptionsApi.syncSubscriptions(...args);

  // The approval routes (issue 14), the same way; see approvalsClient.ts.
  private readonly approvalsApi = approvalMethods(
    (method, path, body, options) => this.request(method, path, body, options),
  );
  listApprovals: ApimApprovalsApi['listApprovals'] = (...args) =>
    this.approvalsApi.listApprovals(...args);
  decideApproval: ApimApprovalsApi['decideApproval'] = (...args) =>
    this.approvalsApi.decideApproval(...args);

  // The binding routes (issue 10), the same way; see bindingsClient.ts.
  private readonly bindingsApi = bindingMethods((method, path, body, options) =>
    this.request(method, path, body, options),
  );
  getBindings: ApimBindingsApi['getBindings'] = (...args) =>
    this.bindingsApi.getBindings(...args);
  getBindingCandidates: ApimBindingsApi['getBindingCandidates'] = (...args) =>
    this.bindingsApi.getBindingCandidates(...args);
  bindApplication: ApimBindingsApi['bindApplication'] = (...args) =>
    this.bindingsApi.bindApplication(...args);
  unbindApplication: ApimBindingsApi['unbindApplication'] = (...args) =>
    this.bindingsApi.unbindApplication(...args);

  getEnvironments(options?: RequestOptions) {
    return this.get<EnvironmentInfo[]>('/environments', options);
  }

  getEntityCredentials(entityRef: string, options?: RequestOptions) {
    return this.get<EntityCredentials>(
      `/entities/${entityPath(entityRef)}/credentials`,
      options,
    );
  }

  provision: ApimCredentialsApi['provision'] = (cell, body, options) =>
    this.request(
      'PUT',
      `${cellPath(cell)}${toSearch({
        dryRun: dryRunFlag(options),
        createApplication:
          options?.createApplication === false ? 'false' : undefined,
      })}`,
      body,
      options,
    );

  unprovision: ApimCredentialsApi['unprovision'] = (cell, options) =>
    this.request(
      'DELETE',
      `${cellPath(cell)}${toSearch({
        consumerKey: cell.consumerKey,
        dryRun: dryRunFlag(options),
      })}`,
      undefined,
      options,
    );

  verify(
    body: VerifyRequest & { entityRef: string },
    options?: RequestOptions,
  ) {
    return this.request<VerifyResult>('POST', '/verify', body, options);
  }

  getAudit(query?: AuditQuery, options?: RequestOptions) {
    return this.get<Page<AuditRecord>>(`/audit${toSearch(query)}`, options);
  }

  getMappings(query?: MappingsQuery, options?: RequestOptions) {
    return this.get<Page<MappingRecord>>(
      `/mappings${toSearch(query)}`,
      options,
    );
  }

  async getAuditExportUrl(query?: Omit<AuditQuery, 'limit' | 'cursor'>) {
    const baseUrl = await this.discoveryApi.getBaseUrl(
      APIM_CREDENTIALS_PLUGIN_ID,
    );
    return `${baseUrl}/audit/export${toSearch(query)}`;
  }

  private get<T>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('GET', path, undefined, options);
  }

  private async request<T>(
    method: string,
    path: string,
    body: unknown,
    options?: RequestOptions,
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl(
      APIM_CREDENTIALS_PLUGIN_ID,
    );
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options?.token) headers.authorization = `Bearer ${options.token}`;
    if (options?.taskId)
      headers[APIM_CREDENTIALS_TASK_ID_HEADER] = options.taskId;
    if (this.source) headers[APIM_CREDENTIALS_SOURCE_HEADER] = this.source;
    const response = await this.fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: options?.signal,
    });
    if (!response.ok) {
      // Callers switch on `code`, never on message text (see errors.ts).
      const error: ApimCredentialsResponseError =
        await ResponseError.fromResponse(response);
      error.code = getApimCredentialsErrorCode(error);
      throw error;
    }
    return (await response.json()) as T;
  }
}
