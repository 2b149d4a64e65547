/**
 * Stateful emulator of WSO2 API Manager for local development and tests: DCR, resident-KM token
 * endpoint, devportal v3 (applications, key managers, key mappings, subscriptions), a gateway,
 * switchable faults and a `/_emulator` control API.
 */
export { createApimEmulator, DEVPORTAL_BASE } from './server';
export type { ApimEmulator } from './server';
export { spawnApimEmulator } from './spawn';
export type { SpawnApimEmulatorOptions, SpawnedApimEmulator } from './spawn';
export { EmulatorControl } from './control';
export type { ApplicationStatus, KeyManagerPatch } from './control';
export {
  APIM_VERSIONS,
  DEFAULT_APIM_VERSION,
  parseApimVersion,
  releaseProfile,
} from './profiles';
export type { ApimVersion, ReleaseProfile } from './profiles';
export type {
  ApiLifeCycleStatus,
  ApiOptions,
  ApimEmulatorOptions,
  EmulatorConfig,
  EmulatorLogger,
  EmulatorStateSnapshot,
  EmulatorStats,
  EmulatorUser,
  FaultRule,
  FaultType,
  KeyManagerOptions,
  KeyManagerPermissions,
  KeyManagerTransportFailure,
  StateApplication,
  StateKeyManager,
  StateKeyMapping,
  StateSubscription,
  SubscriptionStatus,
} from './types';
