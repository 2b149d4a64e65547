/** The parts of WSO2 API-M devportal v3 DTOs this plugin reads (see CONTRACT.md). */

export interface ApimApplication {
  applicationId: string;
  name: string;
  throttlingPolicy?: string;
  owner?: string;
  status?: string;
}

export interface ApimKeyManager {
  id: string;
  name: string;
  displayName?: string | null;
  type: string;
  enabled: boolean;
  enableMapOAuthConsumerApps?: boolean;
  tokenEndpoint?: string | null;
  /**
   * Why API-M's reported token endpoint is not used (it points at the backend's own host and the
   * operator configured no override; see keymanager/tokenEndpoint.ts). No secret goes there.
   */
  tokenEndpointRefused?: string;
}

/** An ApplicationKey with the secrets API-M echoes back already removed. */
export interface ApimApplicationKey {
  keyMappingId: string;
  keyManager: string;
  consumerKey: string;
  supportedGrantTypes: string[];
  keyType: 'PRODUCTION' | 'SANDBOX';
  mode?: string | null;
  keyState?: string | null;
}

/** The parts of WSO2's `APIInfo` the subscriptions feature reads (CONTRACT.md 11). */
export interface ApimApi {
  id: string;
  name: string;
  version: string;
  context: string;
  /** Subscription tiers the API offers (`throttlingPolicies`). */
  tiers: string[];
  lifeCycleStatus?: string;
  /**
   * Where clients call the API through the gateway (`endpointURLs[].URLs.https`, else `http`,
   * e.g. `https://gw:8243/orders/1.0.0`); only the full API object of `GET /apis/{apiId}` has it.
   */
  gatewayUrl?: string;
}

/** Subscription states of WSO2's `Subscription.status` (CONTRACT.md 11, 14.1). */
export type ApimSubscriptionStatus =
  | 'UNBLOCKED'
  | 'ON_HOLD'
  | 'BLOCKED'
  | 'PROD_ONLY_BLOCKED'
  | 'REJECTED'
  | 'TIER_UPDATE_PENDING'
  | 'DELETE_PENDING';

export interface ApimSubscription {
  subscriptionId: string;
  apiId: string;
  /** Name, version and context of the API when API-M includes its `apiInfo`. */
  api?: Omit<ApimApi, 'tiers'>;
  tier: string;
  status: ApimSubscriptionStatus | string;
}
