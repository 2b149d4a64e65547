/**
 * An in-memory stand-in for the apim-credentials backend's REST API (the contract of
 * PRODUCT.md section 5), reached through an injected `fetch`, so the action tests see real
 * HTTP requests and Backstage error bodies without a server.
 */
import type {
  ApimCredentialsErrorCode,
  EnvironmentInfo,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: any;
}

/** An error answer; `code` as the real backend sends it (absent: like a proxy or an old backend). */
export type Failure = {
  status: number;
  name: string;
  message: string;
  code?: ApimCredentialsErrorCode;
  headers?: Record<string, string>;
};

export const BASE_URL = 'http://localhost:0/api/apim-credentials';

export const defaultEnvironments: EnvironmentInfo[] = [
  {
    id: 'sandbox',
    title: 'Sandbox',
    instance: 'local',
    keyType: 'SANDBOX',
    approvalRequired: false,
    keyManagers: [
      {
        name: 'Resident Key Manager',
        displayName: 'Resident Key Manager',
        type: 'default',
        mappingAllowed: true,
      },
      {
        name: 'IS',
        displayName: 'WSO2 IS',
        type: 'WSO2-IS',
        mappingAllowed: true,
      },
    ],
  },
  {
    id: 'production',
    title: 'Production',
    instance: 'local',
    keyType: 'PRODUCTION',
    approvalRequired: false,
    keyManagers: [
      {
        name: 'Resident Key Manager',
        displayName: 'Resident Key Manager',
        type: 'default',
        mappingAllowed: false,
        reason: 'not on the allow-list of environment "production"',
      },
      {
        name: 'IS',
        displayName: 'WSO2 IS',
        type: 'WSO2-IS',
        mappingAllowed: true,
      },
    ],
  },
];

function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

function errorResponse(failure: Failure, method: string, url: URL): Response {
  const { status, name, message, code } = failure;
  return json(
    status,
    {
      error: { name, message, ...(code ? { code } : {}) },
      request: { method, url: url.pathname },
      response: { statusCode: status },
    },
    failure.headers,
  );
}

export class FakeApimCredentialsBackend {
  readonly requests: RecordedRequest[] = [];
  /** `${entityRef}|${environment}|${keyManager}` -> mapped consumer key */
  readonly mappings = new Map<
    string,
    { consumerKey: string; keyMappingId: string }
  >();
  environments: EnvironmentInfo[] = defaultEnvironments;
  environmentsFailure?: Failure;
  /** Failures of PUT/DELETE by environment id. */
  readonly failures = new Map<string, Failure>();
  /**
   * Approval requests of environments with `approvalRequired` (issue 14), as the real backend
   * keeps them: per cell and client, without the secret.
   */
  readonly approvalRequests: Array<{
    id: string;
    cell: string;
    consumerKey: string;
    state: 'pending' | 'approved' | 'rejected' | 'used';
  }> = [];
  private nextId = 1;

  /** What an approver does (POST /approvals/:id/approve or /reject). */
  decide(id: string, state: 'approved' | 'rejected') {
    const request = this.approvalRequests.find(r => r.id === id);
    if (request?.state !== 'pending') throw new Error(`${id} is not pending`);
    request.state = state;
  }

  get mutations() {
    return this.requests.filter(
      r => r.method !== 'GET' && r.url.searchParams.get('dryRun') !== 'true',
    );
  }

  readonly fetch = async (
    input: string,
    init?: RequestInit,
  ): Promise<Response> => {
    const url = new URL(input);
    const method = init?.method ?? 'GET';
    const headers = Object.fromEntries(
      Object.entries((init?.headers ?? {}) as Record<string, string>).map(
        ([k, v]) => [k.toLowerCase(), v],
      ),
    );
    const body =
      typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    this.requests.push({ method, url, headers, body });

    if (!url.href.startsWith(BASE_URL)) {
      return json(404, {
        error: { name: 'NotFoundError', message: 'no such plugin' },
      });
    }
    const path = url.pathname.slice(new URL(BASE_URL).pathname.length);
    if (method === 'GET' && path === '/environments') {
      if (this.environmentsFailure)
        return errorResponse(this.environmentsFailure, method, url);
      return json(200, this.environments);
    }
    const read = /^\/entities\/([^/]+)\/([^/]+)\/([^/]+)\/credentials$/.exec(
      path,
    );
    if (method === 'GET' && read) {
      // The entity tab's read, as the real backend shapes it (what the actions need of it).
      const entityRef = read
        .slice(1, 4)
        .map(decodeURIComponent)
        .join('/')
        .replace('/', ':');
      return json(200, {
        entityRef,
        applicationName: read[3],
        environments: this.environments.map(env => ({
          environment: env.id,
          title: env.title,
          instance: env.instance,
          keyType: env.keyType,
          application: null,
          mappings: [...this.mappings.entries()]
            .filter(([k]) => k.startsWith(`${entityRef}|${env.id}|`))
            .map(([k, m]) => ({
              environment: env.id,
              keyManager: k.split('|')[2],
              keyType: env.keyType,
              state: 'mapped',
              ...m,
            })),
        })),
      });
    }
    const match =
      /^\/entities\/([^/]+)\/([^/]+)\/([^/]+)\/credentials\/([^/]+)\/([^/]+)$/.exec(
        path,
      );
    if (!match)
      return errorResponse(
        {
          status: 404,
          name: 'NotFoundError',
          message: `no route ${path}`,
          code: 'NOT_FOUND',
        },
        method,
        url,
      );
    const [kind, namespace, name, environment, keyManager] = match
      .slice(1)
      .map(decodeURIComponent);
    const entityRef = `${kind}:${namespace}/${name}`;
    const env = this.environments.find(e => e.id === environment);
    const failure = this.failures.get(environment);
    if (failure) return errorResponse(failure, method, url);
    if (!env) {
      return errorResponse(
        {
          status: 404,
          name: 'NotFoundError',
          message: `unknown environment "${environment}"`,
          code: 'UNKNOWN_ENVIRONMENT',
        },
        method,
        url,
      );
    }
    const dryRun = url.searchParams.get('dryRun') === 'true';
    const key = `${entityRef}|${environment}|${keyManager}`;
    const existing = this.mappings.get(key);
    const common = {
      entityRef,
      environment,
      keyManager,
      keyType: env.keyType,
      applicationId: `app-${name}`,
      applicationName: name,
      auditId: `audit-${this.nextId++}`,
    };
    if (method === 'PUT' && env.approvalRequired) {
      // ApprovalService.provision: an approved request for exactly this cell and client maps
      // (and is used); a pending one is answered again; none is filed (not in a dry run).
      const open = this.approvalRequests.find(
        r =>
          r.cell === key &&
          r.consumerKey === body.consumerKey &&
          (r.state === 'pending' || r.state === 'approved'),
      );
      if (open?.state === 'approved') {
        if (!dryRun) open.state = 'used';
      } else if (open || !dryRun) {
        const request = open ?? {
          id: `request-${this.nextId++}`,
          cell: key,
          consumerKey: body.consumerKey as string,
          state: 'pending' as const,
        };
        if (!open) this.approvalRequests.push(request);
        return json(202, {
          status: 'approval-pending',
          request: {
            id: request.id,
            state: request.state,
            entityRef,
            environment,
            keyType: env.keyType,
            keyManager,
            applicationName: name,
            consumerKey: request.consumerKey,
            requestedBy: 'user:default/mock',
            requestedAt: '2026-12-01T10:00:00.000Z',
            expiresAt: '2026-12-08T10:00:00.000Z',
          },
        });
      }
    }
    if (method === 'PUT') {
      if (existing && existing.consumerKey !== body.consumerKey) {
        return errorResponse(
          {
            status: 409,
            name: 'ConflictError',
            message: `client ${existing.consumerKey} is already mapped for ${entityRef} in ${environment} (${keyManager})`,
            code: 'SLOT_TAKEN',
          },
          method,
          url,
        );
      }
      if (existing) {
        return json(200, {
          ...common,
          status: 'unchanged',
          consumerKey: existing.consumerKey,
          keyMappingId: existing.keyMappingId,
          grantTypes: ['client_credentials'],
        });
      }
      const keyMappingId = dryRun ? '' : `km-${this.nextId++}`;
      if (!dryRun)
        this.mappings.set(key, { consumerKey: body.consumerKey, keyMappingId });
      return json(dryRun ? 200 : 201, {
        ...common,
        status: 'created',
        consumerKey: body.consumerKey,
        keyMappingId,
        grantTypes: ['client_credentials'],
      });
    }
    if (method === 'DELETE') {
      if (!existing) return json(200, { ...common, status: 'unchanged' });
      // Like the real backend: only the client the caller names is removed.
      if (existing.consumerKey !== url.searchParams.get('consumerKey')) {
        return errorResponse(
          {
            status: 409,
            name: 'ConflictError',
            message: `client ${
              existing.consumerKey
            } is mapped there, not ${url.searchParams.get('consumerKey')}`,
            code: 'CONSUMER_KEY_MISMATCH',
          },
          method,
          url,
        );
      }
      if (!dryRun) this.mappings.delete(key);
      return json(200, {
        ...common,
        status: 'removed',
        consumerKey: existing.consumerKey,
        keyMappingId: existing.keyMappingId,
      });
    }
    return errorResponse(
      { status: 405, name: 'Error', message: 'method not allowed' },
      method,
      url,
    );
  };
}
