/** Response shapes (DTOs) of devportal v3; null fields stay present as null (contract 3). */
import type { ApiDefinition, KeyManager, Store } from './state';
import type {
  EmulatorConfig,
  StateApplication,
  StateSubscription,
} from './types';

function subscriptionCount(store: Store, applicationId: string) {
  return store.subscriptions.filter(s => s.applicationId === applicationId)
    .length;
}

export function applicationDto(store: Store, app: StateApplication) {
  return {
    applicationId: app.applicationId,
    name: app.name,
    throttlingPolicy: app.throttlingPolicy,
    description: app.description,
    tokenType: app.tokenType,
    status: app.status,
    groups: app.groups,
    subscriptionCount: subscriptionCount(store, app.applicationId),
    keys: [],
    attributes: app.attributes,
    subscriptionScopes: [],
    owner: app.owner,
    hashEnabled: false,
    createdTime: app.createdTime,
    updatedTime: app.updatedTime,
  };
}

export function applicationInfoDto(store: Store, app: StateApplication) {
  return {
    applicationId: app.applicationId,
    name: app.name,
    throttlingPolicy: app.throttlingPolicy,
    description: app.description,
    status: app.status,
    groups: app.groups,
    subscriptionCount: subscriptionCount(store, app.applicationId),
    attributes: app.attributes,
    owner: app.owner,
    tokenType: app.tokenType,
    createdTime: app.createdTime,
    updatedTime: app.updatedTime,
  };
}

const IS_GRANTS = [
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:saml2-bearer',
  'password',
  'client_credentials',
  'iwa:ntlm',
  'authorization_code',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:token-exchange',
];

/**
 * Endpoints as the devportal lists them (CONTRACT 5.1, 14.2.1): a display endpoint when the admin
 * set one; for the resident KM otherwise `[apim.key_manager] service_url` (by default
 * `https://localhost:9443`, whatever host the caller reached), never the emulator's own URL.
 */
export function listedEndpoints(km: KeyManager, config: EmulatorConfig) {
  const base = km.baseUrl ?? config.residentKeyManagerServiceUrl;
  return {
    tokenEndpoint: km.displayTokenEndpoint ?? `${base}/oauth2/token`,
    revokeEndpoint: `${base}/oauth2/revoke`,
  };
}

export function keyManagerInfoDto(km: KeyManager, config: EmulatorConfig) {
  const { tokenEndpoint, revokeEndpoint } = listedEndpoints(km, config);
  return {
    id: km.id,
    name: km.name,
    type: km.type,
    displayName: km.displayName,
    description: km.description,
    enabled: km.enabled,
    availableGrantTypes: IS_GRANTS,
    tokenEndpoint,
    revokeEndpoint,
    userInfoEndpoint: null,
    enableTokenGeneration: km.enableTokenGeneration,
    enableTokenEncryption: false,
    enableTokenHashing: false,
    enableOAuthAppCreation: km.enableOAuthAppCreation,
    enableMapOAuthConsumerApps: km.enableMapOAuthConsumerApps,
    applicationConfiguration: [],
    alias: null,
    additionalProperties: {
      production_token_endpoint: tokenEndpoint,
      sandbox_token_endpoint: tokenEndpoint,
      production_revoke_endpoint: revokeEndpoint,
      sandbox_revoke_endpoint: revokeEndpoint,
    },
    tokenType: km.tokenType,
  };
}

export function apiInfoDto(api: ApiDefinition) {
  return {
    id: api.id,
    name: api.name,
    displayName: api.name,
    description: null,
    context: api.context,
    version: api.version,
    type: 'HTTP',
    createdTime: null,
    provider: api.provider,
    lifeCycleStatus: api.lifeCycleStatus,
    thumbnailUri: null,
    avgRating: '0.0',
    throttlingPolicies: [...api.tiers],
    advertiseInfo: null,
    businessInformation: null,
    isSubscriptionAvailable: true,
    monetizationLabel: 'FREE',
    gatewayType: 'wso2/synapse',
    gatewayVendor: 'wso2',
    additionalProperties: [],
    monetizedInfo: false,
    egress: false,
    subtype: 'DEFAULT',
  };
}

/**
 * The devportal's full API object (`GET /apis/{apiId}`, devportal-api.yaml `API`): unlike the
 * listing's APIInfo it names the tiers as `tiers[].tierName` and carries `endpointURLs`, the URLs
 * a client calls on each gateway environment. WSO2 builds them from the gateway environment's
 * host and the API's context and version (`https://<gateway>/<context>/<version>`); the emulator
 * serves its gateway on its own port, so `gatewayUrl` is its public URL.
 */
export function apiDto(api: ApiDefinition, gatewayUrl: string) {
  const base = gatewayUrl.replace(/\/+$/, '');
  const https = `${base}${api.context}/${api.version}`;
  return {
    id: api.id,
    name: api.name,
    displayName: api.name,
    description: null,
    context: api.context,
    version: api.version,
    provider: api.provider,
    lifeCycleStatus: api.lifeCycleStatus,
    isDefaultVersion: false,
    type: 'HTTP',
    transport: ['https'],
    operations: [],
    authorizationHeader: 'Authorization',
    apiKeyHeader: 'ApiKey',
    securityScheme: ['oauth2'],
    tags: [],
    tiers: api.tiers.map(tierName => ({
      tierName,
      tierPlan: 'FREE',
      monetizationAttributes: null,
    })),
    hasThumbnail: false,
    additionalProperties: [],
    endpointURLs: [
      {
        environmentName: 'Default',
        environmentDisplayName: 'Default',
        environmentType: 'hybrid',
        // The emulator serves TLS only: no http URL, as a gateway with transport https only.
        URLs: { http: null, https, ws: null, wss: null },
        defaultVersionURLs: { http: null, https: null, ws: null, wss: null },
      },
    ],
    businessInformation: null,
    environmentList: ['Default'],
    scopes: [],
    avgRating: '0.0',
    advertiseInfo: null,
    isSubscriptionAvailable: true,
    categories: [],
    keyManagers: null,
    createdTime: null,
    lastUpdatedTime: null,
    gatewayType: 'wso2/synapse',
    gatewayVendor: 'wso2',
    asyncTransportProtocols: [],
    egress: false,
    subtype: 'DEFAULT',
  };
}

export function subscriptionDto(store: Store, sub: StateSubscription) {
  const api = store.apis.find(a => a.id === sub.apiId);
  const app = store.applications.find(
    a => a.applicationId === sub.applicationId,
  );
  return {
    subscriptionId: sub.subscriptionId,
    applicationId: sub.applicationId,
    apiId: sub.apiId,
    apiInfo: api ? apiInfoDto(api) : null,
    applicationInfo: app ? applicationInfoDto(store, app) : null,
    throttlingPolicy: sub.throttlingPolicy,
    requestedThrottlingPolicy: sub.throttlingPolicy,
    status: sub.status,
    redirectionParams: null,
  };
}

export function pagination(
  resource: string,
  offset: number,
  limit: number,
  total: number,
  extra = '',
  suffix = '',
) {
  const link = (o: number) =>
    `/${resource}?${extra}limit=${limit}&offset=${o}${suffix}`;
  return {
    offset,
    limit,
    total,
    next: offset + limit < total ? link(offset + limit) : '',
    previous: offset > 0 ? link(Math.max(0, offset - limit)) : '',
  };
}
