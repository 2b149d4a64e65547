/**
 * Scaffolder actions `apim:credentials:provision` and `apim:credentials:unprovision` for
 * `@backstage/plugin-scaffolder-backend`.
 *
 * @packageDocumentation
 */

export { scaffolderModuleApimCredentials as default } from './module';
export {
  createApimCredentialsProvisionAction,
  PROVISION_ACTION_ID,
} from './actions/provision';
export {
  createApimCredentialsUnprovisionAction,
  UNPROVISION_ACTION_ID,
} from './actions/unprovision';
export {
  createApimSubscriptionsSyncAction,
  SUBSCRIPTIONS_SYNC_ACTION_ID,
} from './actions/subscriptionsSync';
export type {
  ApimCredentialsActionOptions,
  FetchLike,
} from './actions/backendClient';
