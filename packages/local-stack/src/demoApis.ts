/**
 * The APIs the local stack publishes in the emulator, besides its built-in PizzaShackAPI and
 * CalculatorAPI (CONTRACT 11). Ids, names, versions and contexts match the API entities of
 * examples/entities.yaml (annotations wso2.com/api-id, api-name, api-version, api-context), so
 * the example components' consumesApis can be subscribed from Backstage.
 */
import type { ApiOptions } from '@internal/apim-emulator';

export const DEMO_APIS: ApiOptions[] = [
  {
    id: '3e34af34-7759-5522-aaf2-223a6fe13222',
    name: 'OrdersAPI',
    version: '1.0.0',
    context: '/orders',
    tiers: ['Unlimited', 'Gold', 'Bronze'],
  },
  {
    id: '06f2f7d0-5cfb-5351-ad34-3b3394409aa6',
    name: 'PaymentsAPI',
    version: '1.0.0',
    context: '/payments',
    // No Unlimited: a subscription must pick a business plan.
    tiers: ['Gold', 'Bronze'],
  },
];
