import { ResponseError } from '@backstage/errors';
import type { Entity } from '@backstage/catalog-model';
import type {
  ApimCredentialsErrorCode,
  ApprovalRequest,
  AuditRecord,
  EntityCredentials,
  EnvironmentInfo,
  MappingRecord,
  ProvisionResult,
  SubscriptionSyncResult,
  UnprovisionResult,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { ApimCredentialsFrontendApi } from '../api';

export const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders-service',
    namespace: 'default',
    annotations: { 'wso2.com/apim-application': 'orders-app' },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
};
export const entityRef = 'component:default/orders-service';

export const entityWithoutAnnotation: Entity = {
  ...entity,
  metadata: { name: 'billing-service', namespace: 'default' },
};

type KeyManagerInfo = EnvironmentInfo['keyManagers'][number];

/** API-M's built-in key manager, as `GET /environments` lists it. */
export const residentKeyManager: KeyManagerInfo = {
  name: 'Resident Key Manager',
  displayName: 'Resident Key Manager',
  type: 'default',
  tokenEndpoint: 'https://localhost:9443/oauth2/token',
  mappingAllowed: true,
};

/** The WSO2 Identity Server key manager, as `GET /environments` lists it. */
export const isKeyManager: KeyManagerInfo = {
  name: 'IS',
  displayName: 'WSO2 Identity Server',
  type: 'WSO2-IS',
  tokenEndpoint: 'https://localhost:9444/oauth2/token',
  mappingAllowed: true,
};

export const environments: EnvironmentInfo[] = [
  {
    id: 'sandbox',
    title: 'Sandbox',
    instance: 'local',
    keyType: 'SANDBOX',
    approvalRequired: false,
    keyManagers: [residentKeyManager, isKeyManager],
  },
  {
    id: 'production',
    title: 'Production',
    instance: 'local',
    keyType: 'PRODUCTION',
    approvalRequired: false,
    keyManagers: [isKeyManager],
  },
];

export const unmappedCredentials: EntityCredentials = {
  entityRef,
  applicationName: 'orders-app',
  environments: [
    {
      environment: 'sandbox',
      title: 'Sandbox',
      instance: 'local',
      keyType: 'SANDBOX',
      application: { id: 'app-1', name: 'orders-app' },
      mappings: [
        {
          environment: 'sandbox',
          keyManager: 'Resident Key Manager',
          keyType: 'SANDBOX',
          state: 'unmapped',
        },
        {
          environment: 'sandbox',
          keyManager: 'IS',
          keyType: 'SANDBOX',
          state: 'unmapped',
        },
      ],
    },
    {
      environment: 'production',
      title: 'Production',
      instance: 'local',
      keyType: 'PRODUCTION',
      application: { id: 'app-1', name: 'orders-app' },
      mappings: [
        {
          environment: 'production',
          keyManager: 'IS',
          keyType: 'PRODUCTION',
          state: 'unmapped',
        },
      ],
    },
  ],
};

const [unmappedSandbox] = unmappedCredentials.environments;

/** The fixtures' entity with a client mapped in sandbox for the IS key manager. */
export const mappedCredentials: EntityCredentials = {
  ...unmappedCredentials,
  environments: [
    {
      ...unmappedSandbox,
      mappings: [
        unmappedSandbox.mappings[0],
        {
          ...unmappedSandbox.mappings[1],
          state: 'mapped',
          consumerKey: 'orders-sandbox-client',
          keyMappingId: 'km-map-123',
          grantTypes: ['client_credentials'],
          provisionedBy: 'user:default/guest',
          provisionedAt: '2026-11-27T10:00:00Z',
        },
      ],
    },
    unmappedCredentials.environments[1],
  ],
};

export function auditRecord(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id: 'audit-1',
    startedAt: '2026-11-27T10:00:00Z',
    finishedAt: '2026-11-27T10:00:01Z',
    actor: 'user:default/guest',
    source: 'ui',
    action: 'provision',
    outcome: 'succeeded',
    entityRef,
    environment: 'sandbox',
    instance: 'local',
    keyType: 'SANDBOX',
    keyManager: 'IS',
    consumerKey: 'orders-sandbox-client',
    keyMappingId: 'km-map-123',
    ...overrides,
  };
}

/** The fixtures' entity's sandbox cell of the IS key manager, where most fixtures map. */
const sandboxIsCell = { entityRef, environment: 'sandbox', keyManager: 'IS' };
/** The entity's API-M application. */
const ordersApp = { applicationId: 'app-1', applicationName: 'orders-app' };
/** The client mapped in the sandbox cell, and its key mapping in API-M. */
const sandboxClient = {
  consumerKey: 'orders-sandbox-client',
  keyMappingId: 'km-map-123',
};

export const mappingRecord: MappingRecord = {
  ...sandboxIsCell,
  instance: 'local',
  keyType: 'SANDBOX',
  ...ordersApp,
  ...sandboxClient,
  grantTypes: ['client_credentials'],
  provisionedBy: 'user:default/guest',
  provisionedAt: '2026-11-27T10:00:00Z',
  state: 'active',
};

/**
 * The backend's answer to a provisioning that mapped a client: by default the fixtures' entity's
 * client `orders-sandbox-client` in sandbox with the IS key manager.
 */
export function provisionResult(
  overrides: Partial<ProvisionResult> = {},
): ProvisionResult {
  return {
    status: 'created',
    ...sandboxIsCell,
    keyType: 'SANDBOX',
    ...ordersApp,
    ...sandboxClient,
    grantTypes: ['client_credentials'],
    auditId: 'audit-1',
    ...overrides,
  };
}

/**
 * The backend's answer to removing the client that `mappedCredentials` maps in sandbox (IS).
 */
export function removedResult(
  overrides: Partial<UnprovisionResult> = {},
): UnprovisionResult {
  return {
    status: 'removed',
    ...sandboxIsCell,
    consumerKey: sandboxClient.consumerKey,
    auditId: 'a2',
    ...overrides,
  };
}

/**
 * A `getEntityCredentials` mock that answers `before` once, then `after` (the tab reads again
 * after a change).
 */
export function credentialsChanging(
  before: EntityCredentials,
  after: EntityCredentials,
) {
  return jest.fn().mockResolvedValueOnce(before).mockResolvedValue(after);
}

/**
 * A sync's plan (dry run) in sandbox: subscribe the application to the declared PizzaShackAPI.
 */
export function subscribePlan(
  application: SubscriptionSyncResult['application'] = null,
): SubscriptionSyncResult {
  return {
    dryRun: true,
    environment: 'sandbox',
    application,
    unresolved: [],
    items: [
      {
        apiRef: 'api:default/pizzashack-api',
        apiId: 'p1',
        name: 'PizzaShackAPI',
        version: '1.0.0',
        action: 'subscribe',
      },
    ],
  };
}

/** An approval request (issue 14) of the fixtures' entity in production, as the backend lists it. */
export function approvalRequest(
  overrides: Partial<ApprovalRequest> = {},
): ApprovalRequest {
  return {
    id: '0b6f1a52-3c1e-4d4b-9a37-5c2f1e0d7a11',
    state: 'pending',
    entityRef,
    environment: 'production',
    keyType: 'PRODUCTION',
    keyManager: 'IS',
    applicationName: 'orders-app',
    consumerKey: 'orders-prod-client',
    requestedBy: 'user:default/jane',
    requestedAt: '2026-12-01T10:00:00.000Z',
    expiresAt: '2026-12-08T10:00:00.000Z',
    ...overrides,
  };
}

/** A fake client: every method a jest mock, with harmless defaults. */
export function fakeApi(
  overrides: Partial<jest.Mocked<ApimCredentialsFrontendApi>> = {},
): jest.Mocked<ApimCredentialsFrontendApi> {
  return {
    getEnvironments: jest.fn().mockResolvedValue(environments),
    getEntityCredentials: jest.fn().mockResolvedValue(unmappedCredentials),
    provision: jest.fn(),
    unprovision: jest.fn(),
    verify: jest.fn(),
    getAudit: jest.fn().mockResolvedValue({ items: [] }),
    getMappings: jest.fn().mockResolvedValue({ items: [] }),
    getAuditExportUrl: jest
      .fn()
      .mockResolvedValue('http://localhost/api/apim-credentials/audit/export'),
    exportAuditCsv: jest.fn(),
    getBindings: jest.fn().mockResolvedValue([]),
    getBindingCandidates: jest.fn().mockResolvedValue([]),
    bindApplication: jest.fn(),
    unbindApplication: jest.fn(),
    getSubscriptions: jest
      .fn()
      .mockResolvedValue({ entityRef: '', declared: [], environments: [] }),
    subscribe: jest.fn(),
    unsubscribe: jest.fn(),
    syncSubscriptions: jest.fn(),
    listApprovals: jest.fn().mockResolvedValue({ items: [] }),
    decideApproval: jest.fn(),
    ...overrides,
  } as jest.Mocked<ApimCredentialsFrontendApi>;
}

/**
 * A `ResponseError` as the client throws it for a Backstage error body, with the backend's
 * stable `code` in the body and on the error when one is given.
 */
export async function responseError(
  status: number,
  name: string,
  message: string,
  code?: ApimCredentialsErrorCode,
) {
  const text = JSON.stringify({
    error: { name, message, ...(code ? { code } : {}) },
    response: { statusCode: status },
  });
  const error: ResponseError & { code?: ApimCredentialsErrorCode } =
    await ResponseError.fromResponse({
      status,
      statusText: 'Error',
      ok: false,
      url: 'http://localhost/api/apim-credentials',
      headers: {
        get: (key: string) =>
          key.toLowerCase() === 'content-type' ? 'application/json' : null,
      },
      text: async () => text,
    } as any);
  error.code = code;
  return error;
}
