/** Public types of the API-M emulator. */

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
}

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
  /** When set, apps, mappings, subscriptions, DCR clients and tokens survive restarts. */
  stateFile?: string;
  logger?: EmulatorLogger;
}

export interface EmulatorConfig {
  provisionedAppValidation: boolean;
  tokenLifetimeSeconds: number;
  hasDeleteEndpoint: boolean;
  keyProvisioningEnabled: boolean;
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

export interface StateSubscription {
  subscriptionId: string;
  applicationId: string;
  apiId: string;
  throttlingPolicy: string;
  status: string;
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
