/** Response bodies of the REST API. None of them ever carries a consumer secret. */
import type {
  AuditAction,
  AuditOutcome,
  AuditResolution,
  AuditSource,
  KeyType,
} from './constants';

/** @public */
export interface KeyManagerInfo {
  name: string;
  displayName: string;
  type: string;
  tokenEndpoint?: string;
  /** Enabled in API-M, allows mapping existing clients, and on the environment's allow-list. */
  mappingAllowed: boolean;
  /** Why mapping is not allowed, when it is not. */
  reason?: string;
  /**
   * What a client_credentials request to this key manager must carry besides the client's
   * credentials (e.g. Entra ID's `scope=<application id uri>/.default`), from the instance's
   * `keyManagers[].verification` configuration. Absent when nothing extra is needed.
   */
  tokenRequest?: TokenRequestParams;
}

/**
 * Extra client_credentials parameters a key manager needs; none of them is a secret.
 *
 * @public
 */
export interface TokenRequestParams {
  /** Sent as `scope` (space-separated scopes). */
  scope?: string;
  /** Sent as `audience` (Auth0, Okta custom servers and similar). */
  audience?: string;
  /** Sent as given (e.g. `resource` of RFC 8707). */
  extraParams?: Record<string, string>;
}

/** @public */
export interface EnvironmentInfo {
  id: string;
  title: string;
  instance: string;
  keyType: KeyType;
  keyManagers: KeyManagerInfo[];
  /**
   * True when the instance is configured with its own CA (`tls.ca`), which also signs its key
   * managers' certificates: a token request needs that CA (`curl --cacert`). Only the fact is
   * published, never the configured PEM.
   */
  privateCa?: boolean;
  /**
   * Providing keys here needs an approver's approval first (`approval.required`, issue 14):
   * a provide files a request, and the owner provides the client again once it is approved.
   */
  approvalRequired: boolean;
  /** Set when the instance could not be reached to list its key managers. */
  error?: string;
}

/** @public */
export type MappingState =
  /** The client is mapped in API-M. */
  | 'mapped'
  /** Nothing is mapped for this key manager and key type. */
  | 'unmapped'
  /** API-M holds keys that were generated in API-M rather than provisioned. */
  | 'generated'
  /** Backstage recorded a mapping that API-M no longer holds, or holds with another client. */
  | 'drifted';

/** @public */
export interface CredentialMapping {
  environment: string;
  keyManager: string;
  keyType: KeyType;
  state: MappingState;
  /**
   * The key manager is disabled in API-M. API-M keeps the mapping but hides it from its listing
   * (CONTRACT.md 7.1), so the state shown is what Backstage recorded: still `mapped`, and
   * removable by its keyMappingId.
   */
  keyManagerDisabled?: boolean;
  consumerKey?: string;
  keyMappingId?: string;
  grantTypes?: string[];
  provisionedBy?: string;
  provisionedAt?: string;
}

/** @public */
export interface EnvironmentCredentials {
  environment: string;
  title: string;
  instance: string;
  keyType: KeyType;
  /**
   * `status` is API-M's workflow status of the application (CONTRACT.md 14.1): `APPROVED`,
   * `CREATED` (pending approval: its tokens are refused until approved) or `REJECTED`.
   */
  application: { id: string; name: string; status?: string } | null;
  mappings: CredentialMapping[];
  /** Set when API-M could not be read for this environment. */
  error?: string;
}

/** @public */
export interface EntityCredentials {
  entityRef: string;
  applicationName: string;
  environments: EnvironmentCredentials[];
}

/** @public */
export interface ProvisionResult {
  /** `created` when this call mapped the client, `unchanged` when it was already mapped there. */
  status: 'created' | 'unchanged';
  entityRef: string;
  environment: string;
  keyManager: string;
  keyType: KeyType;
  applicationId: string;
  applicationName: string;
  consumerKey: string;
  keyMappingId: string;
  grantTypes: string[];
  auditId: string;
  /** API-M's workflow status of the application: `APPROVED`, or `CREATED` while pending approval. */
  applicationStatus?: string;
  /** Set when the mapping exists but will not work yet (a pending application, CONTRACT.md 14.2). */
  warning?: string;
}

/** @public */
export interface UnprovisionResult {
  status: 'removed' | 'unchanged';
  entityRef: string;
  environment: string;
  keyManager: string;
  consumerKey?: string;
  keyMappingId?: string;
  auditId: string;
  /**
   * Set when API-M removed the mapping without telling its gateways (clean-up on API-M 4.2,
   * CONTRACT.md 14.2 item 4): what still works and what to do about it.
   */
  warning?: string;
}

/** @public */
export interface VerifyResult {
  ok: boolean;
  environment: string;
  keyManager: string;
  consumerKey: string;
  tokenEndpoint: string;
  /** What the key manager said, in words a person can act on. */
  message: string;
  /** The OAuth2 error code, when the key manager refused (`invalid_client`, `unauthorized_client`...). */
  error?: string;
  /**
   * The stable code of a refusal: `VERIFICATION_FAILED` when the credentials were refused,
   * `KEY_MANAGER_NEEDS_SCOPE` when the key manager wants a scope or audience the backend's
   * configuration does not give (an operator's fix, not the client owner's).
   */
  code?: 'VERIFICATION_FAILED' | 'KEY_MANAGER_NEEDS_SCOPE';
  grantedScopes?: string[];
}

/** @public */
export interface AuditRecord {
  id: string;
  startedAt: string;
  finishedAt?: string;
  actor: string;
  source: AuditSource;
  via?: string;
  taskId?: string;
  action: AuditAction;
  outcome: AuditOutcome;
  entityRef?: string;
  environment?: string;
  instance?: string;
  keyType?: KeyType;
  keyManager?: string;
  applicationId?: string;
  applicationName?: string;
  keyMappingId?: string;
  consumerKey?: string;
  /** Failed and denied rows: the stable code of what went wrong (`APIM_CREDENTIALS_ERROR_CODES`). */
  errorCode?: string;
  errorMessage?: string;
  /** Successful rows that needed a word more than their outcome; see `AUDIT_RESOLUTIONS`. */
  resolution?: AuditResolution;
  /** What `resolution` means for this row, in words. */
  note?: string;
  requestId?: string;
  /** Set on the rows of dry runs (denied, or verifying for real). */
  dryRun?: boolean;
  /**
   * Provisioning rows: `true` when the credentials were proven at the key manager before they
   * were mapped, `false` when they were mapped unverified; absent when not known (older rows,
   * failed attempts, other actions). Issue 15 item 7.
   */
  verified?: boolean;
  /**
   * `denied` rows only, when more than one: how many identical denials (same actor, entity, action,
   * cell, source and error code within an hour) this row stands for; `finishedAt` is the last one.
   * Issue 10 item 5.
   */
  attempts?: number;
  /** `subscribe` / `unsubscribe` rows (issue 16): the API entity, e.g. `api:default/orders-api`. */
  apiRef?: string;
  /** `subscribe` / `unsubscribe` rows: API-M's id of the API. */
  apiId?: string;
  /** `subscribe` / `unsubscribe` rows: the API's name and version, e.g. `OrdersAPI 1.0.0`. */
  apiName?: string;
}

/** @public */
export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; absent on the last page. */
  nextCursor?: string;
  /**
   * How many items the query's filters match across all pages: exact, unless
   * `totalIsLowerBound`. Sent with the first page only (no `cursor`), so that paging on stays
   * one indexed range read; absent from older backends. The platform page's tab counts (issue 15
   * item 5).
   */
  total?: number;
  /**
   * `true` when the backend stopped counting: more than `total` items match (`total` is the
   * backend's cap, 10,000 by default, so the first page costs the same at any table size; shown
   * as "10,000+"). Absent when `total` is exact or absent.
   */
  totalIsLowerBound?: boolean;
}

/** @public */
export interface MappingRecord {
  entityRef: string;
  environment: string;
  keyManager: string;
  instance: string;
  keyType: KeyType;
  applicationId: string;
  applicationName: string;
  consumerKey: string;
  keyMappingId: string;
  grantTypes: string[];
  provisionedBy: string;
  provisionedAt: string;
  state: 'active' | 'drifted';
  driftReason?: string;
}
