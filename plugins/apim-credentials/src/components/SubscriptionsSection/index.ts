export {
  SubscriptionsSection,
  EnvironmentSubscriptionsView,
} from './SubscriptionsSection';
export { createSubscriptionsClient } from './subscriptionsClient';
export type {
  SubscriptionsClient,
  EnvironmentSubscriptions,
} from './subscriptionsClient';
