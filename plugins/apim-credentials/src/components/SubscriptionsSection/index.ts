export {
  SubscriptionsSection,
  EnvironmentSubscriptionsView,
} from './SubscriptionsSection';
