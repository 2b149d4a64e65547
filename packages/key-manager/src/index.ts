/**
 * Local OAuth2 authorization server standing in for WSO2 Identity Server as a third-party key
 * manager of WSO2 API-M. The server itself (oidc-provider, ESM-only) runs in its own process; this
 * entry point only spawns it and talks to it over HTTPS, so it is safe to import from Jest.
 */
export { spawnKeyManager, keyManagerMainPath, stopChild } from './spawn';
export type { RunningKeyManager, SpawnKeyManagerOptions } from './spawn';
export {
  DCR_PATH,
  KeyManagerClient,
  KeyManagerError,
  httpsRequest,
} from './client';
export type {
  AdminCredentials,
  ClientCredentials,
  CreateClientOptions,
  KeyManagerClientInfo,
  TokenResponse,
  HttpResult,
} from './client';
export { DEMO_USERS } from './users';
export type { DemoUser } from './users';
