/**
 * Common types, schemas, permissions and the HTTP client of the apim-credentials plugin.
 *
 * @packageDocumentation
 */
export * from './constants';
export * from './permissions';
export * from './schemas';
export * from './entityRefs';
export * from './types';
export * from './client';
export * from './bindings';
export * from './errors';
export * from './applicationNames';
export * from './tokenSnippet';
export type {
  ApimApiSummary,
  ApimSubscribedApi,
  ApimSubscriptionsApi,
  EntitySubscriptions,
  EnvironmentSubscriptions,
  SubscriptionChangeResult,
  SubscriptionSyncItem,
  SubscriptionSyncResult,
} from './subscriptions';
export * from './invokeSnippet';
export * from './approvals';
export type { ApimApprovalsApi, ApprovalsQuery } from './approvalsClient';
export { isProvisionRequested } from './approvalsClient';
export type { ApimBindingsApi } from './bindingsClient';
