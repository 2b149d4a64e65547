/** Public types of the API-M emulator. */
import type { ApimVersion } from './profiles';

export interface EmulatorLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export interface EmulatorUser {
  username: string;
  password: string;
  /** e.g. `admin`, `Internal/subscriber`, `Internal/devops`. */
  roles: string[];
}

/** Lifecycle states of an API (publisher); the devportal lists and subscribes only PUBLISHED / PROTOTYPED (CONTRACT 11). */
export type ApiLifeCycleStatus =
  | 'CREATED'
  | 'PROTOTYPED'
  | 'PUBLISHED'
  | 'BLOCKED'
  | 'DEPRECATED'
  | 'RETIRED';

/** A published API of the emulator's catalogue, served by its gateway at `{context}/{version}/...` (CONTRACT 11). */
export interface ApiOptions {
  name: string;
  version: string;
  /** e.g. `/orders`; must start with `/`. */
  context: string;
  /** Default: a UUID derived from name and version, stable across restarts. */
  id?: string;
  provider?: string;
  /** Subscription tiers (business plans) a subscription may use; default `['Unlimited']`. */
  tiers?: string[];
  /** Default PUBLISHED. */
  lifeCycleStatus?: ApiLifeCycleStatus;
  /** PUBLIC (default) or RESTRICTED to users with one of `visibleRoles` (devportal visibility). */
  visibility?: 'PUBLIC' | 'RESTRICTED';
  visibleRoles?: string[];
}

/** Adds a key manager or overrides one (matched by name, incl. `Resident Key Manager` and `IS`). */
export interface KeyManagerOptions {
  name: string;
  /** Connector type; `default` for the resident KM, `WSO2-IS` for external ones. */
  type?: string;
  /** Base URL of an external WSO2-IS-like key manager (DCR + token + JWKS). Defaults to `keyManager.baseUrl`. */
  baseUrl?: string;
  enabled?: boolean;
  enableMapOAuthConsumerApps?: boolean;
  enableTokenGeneration?: boolean;
  enableOAuthAppCreation?: boolean;
  tokenType?: 'DIRECT' | 'EXCHANGED' | 'BOTH';
  displayName?: string;
  description?: string;
  /** A global KM (all tenants): listed after the tenant's KMs from 4.3; absent on 4.2 (CONTRACT 14.3). */
  global?: boolean;
  /** Role permissions of the KM; filter the devportal listing from 4.3, never map-keys (CONTRACT 14.1). */
  permissions?: KeyManagerPermissions;
  /** Admin-configured display token endpoint; listed instead of the real one (CONTRACT 5.1, 14.2.1). */
  displayTokenEndpoint?: string;
}

/** KM role permissions set in the admin portal (CONTRACT 5.1, 14.1). */
export interface KeyManagerPermissions {
  /** PUBLIC: everybody; ALLOW: only users with one of `roles`; DENY: everybody but them. */
  type: 'PUBLIC' | 'ALLOW' | 'DENY';
  roles: string[];
}

/** How a simulated transport failure towards a KM looks to API-M (CONTRACT 14.1). */
export type KeyManagerTransportFailure = 'refused' | 'dns' | 'timeout';

export interface ApimEmulatorOptions {
  /** 0 (default) = random port. */
  port?: number;
  /** Host name used in URLs; default `localhost` (binds 127.0.0.1). */
  host?: string;
  /**
   * HTTPS only. `ca` (the CA that signed `cert`) is what `control` trusts, and the default trust
   * for calls to the key manager; without it `cert` itself is trusted.
   */
  tls: { cert: string; key: string; ca?: string };
  /** The external IS-like key manager registered as key manager `IS` (type WSO2-IS). */
  keyManager?: {
    baseUrl: string;
    /** PEM CA to trust when calling the key manager. */
    ca?: string;
    /** Admin credentials for its DCR endpoint; default admin/admin. */
    admin?: { username: string; password: string };
  };
  /** Extra key managers, or overrides of the two built-in ones. */
  keyManagers?: KeyManagerOptions[];
  /** Default: admin/admin (admin), svc-backstage and other-user (Internal/subscriber). */
  users?: EmulatorUser[];
  /** `[apim.key_manager] enable_provisioned_app_validation`; default true. */
  provisionedAppValidation?: boolean;
  /** `[apim.devportal] enable_key_provisioning`; default false (resident KM's enableMapOAuthConsumerApps). */
  keyProvisioningEnabled?: boolean;
  /** Lifetime of tokens issued by the resident key manager; default 3600. */
  tokenLifetimeSeconds?: number;
  /** false emulates API-M 4.2: DELETE .../oauth-keys/{id} answers 405, only clean-up exists. Default true. */
  hasDeleteEndpoint?: boolean;
  /** Release profile (CONTRACT 14.3); default `4.6`. */
  apimVersion?: ApimVersion;
  /** Application approval workflow on: new applications are `CREATED` (pending); default false (CONTRACT 14.1, 14.2.2). */
  applicationApprovalWorkflow?: boolean;
  /** Collation of `NAME like ?` on 4.2/4.3 (CONTRACT 14.1): PostgreSQL/H2 `case-sensitive` (default) or MySQL/MSSQL `case-insensitive`. */
  searchCollation?: 'case-sensitive' | 'case-insensitive';
  /** How long a KM transport failure takes to surface (WSO2's HTTP client retries 5 times; CONTRACT 14.1); default 1000 ms. */
  kmTransportFailureDelayMs?: number;
  /** A KM added or enabled through the control API answers map-keys with 400/901403 for this long (CONTRACT 14.1; about 5 s on a real server); default 0. */
  keyManagerLoadDelayMs?: number;
  /** `[apim.key_manager] service_url`: the resident KM's listed token endpoint base (CONTRACT 14.2.1); default `https://localhost:9443`. */
  residentKeyManagerServiceUrl?: string;
  /** Application throttling tiers; any other tier on create is 400/900305 (CONTRACT 14.2.5). Default Unlimited, 10PerMin, 20PerMin, 50PerMin. */
  applicationThrottlingPolicies?: string[];
  /** Subscription approval workflow on: new subscriptions are `ON_HOLD` until approved (CONTRACT 14.1). Default false. */
  subscriptionApprovalWorkflow?: boolean;
  /** APIs published besides the built-in PizzaShackAPI and CalculatorAPI (CONTRACT 11). */
  apis?: ApiOptions[];
  /** When set, apps, mappings, subscriptions, DCR clients and tokens survive restarts. */
  stateFile?: string;
  logger?: EmulatorLogger;
}

export interface EmulatorConfig {
  provisionedAppValidation: boolean;
  tokenLifetimeSeconds: number;
  /** false removes DELETE oauth-keys in any profile (405); 4.2 never has it. */
  hasDeleteEndpoint: boolean;
  keyProvisioningEnabled: boolean;
  apimVersion: ApimVersion;
  applicationApprovalWorkflow: boolean;
  subscriptionApprovalWorkflow: boolean;
  searchCollation: 'case-sensitive' | 'case-insensitive';
  kmTransportFailureDelayMs: number;
  keyManagerLoadDelayMs: number;
  residentKeyManagerServiceUrl: string;
  applicationThrottlingPolicies: string[];
}

export type FaultType =
  | 'latency'
  | 'error'
  | 'timeout'
  | 'reset'
  | 'malformed'
  | 'failAfterMapping';

/**
 * One switchable fault. `method`/`path` select the requests (absent = every request except
 * `/_emulator/*`). `path` is a glob on the URL path: `*` = one segment, `**` = any number of
 * segments, e.g. `/api/am/devportal/v3/applications/*\/map-keys`.
 */
export interface FaultRule {
  type: FaultType;
  method?: string;
  path?: string;
  /** latency: added delay before handling. */
  latencyMs?: number;
  /** error: HTTP status (default 500) and body (default the 900967 General Error body). */
  status?: number;
  body?: unknown;
  /** Apply this many times, then the rule is removed. */
  times?: number;
}

export interface EmulatorStats {
  total: number;
  tokenRequests: number;
  dcrRequests: number;
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
}

export interface StateApplication {
  applicationId: string;
  name: string;
  owner: string;
  throttlingPolicy: string;
  description: string | null;
  status: string;
  groups: string[];
  attributes: Record<string, string>;
  tokenType: string;
  createdTime: string;
  updatedTime: string;
}

export interface StateKeyMapping {
  keyMappingId: string;
  applicationId: string;
  keyManagerId: string;
  keyManagerName: string;
  keyType: 'PRODUCTION' | 'SANDBOX';
  consumerKey: string;
  mode: 'MAPPED' | 'CREATED';
  state: string;
  createdTime: string;
}

/** Subscription states of WSO2's `Subscription.status` enum that the emulator produces (CONTRACT 11, 14.1). */
export type SubscriptionStatus =
  | 'UNBLOCKED'
  | 'ON_HOLD'
  | 'BLOCKED'
  | 'PROD_ONLY_BLOCKED'
  | 'REJECTED';

export interface StateSubscription {
  subscriptionId: string;
  applicationId: string;
  apiId: string;
  throttlingPolicy: string;
  status: SubscriptionStatus;
}

export interface StateKeyManager {
  id: string;
  name: string;
  type: string;
  enabled: boolean;
  enableMapOAuthConsumerApps: boolean;
  enableTokenGeneration: boolean;
  tokenType: string;
  tokenEndpoint: string;
  global: boolean;
  permissions: KeyManagerPermissions;
  /** Listed as enabled but not loaded by the server: `permanent`, an epoch-ms deadline, or null. */
  notLoaded: 'permanent' | number | null;
  transportFailure: KeyManagerTransportFailure | null;
}

/** What `GET /_emulator/state` returns: never secrets or tokens. */
export interface EmulatorStateSnapshot {
  config: EmulatorConfig;
  keyManagers: StateKeyManager[];
  applications: StateApplication[];
  keyMappings: StateKeyMapping[];
  subscriptions: StateSubscription[];
  dcrClients: Array<{
    clientId: string;
    clientName: string;
    owner: string;
    grantTypes: string[];
  }>;
  faults: FaultRule[];
}
