/** Catalog entities of the subscription tests: consumers and API entities (issue 16). */
import { Entity } from '@backstage/catalog-model';
import { component } from './harness';

function consumer(name: string, consumes: string[]): Entity {
  const entity = component(name, name);
  return { ...entity, spec: { ...entity.spec, consumesApis: consumes } };
}

function api(name: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'API',
    metadata: { name, namespace: 'default', annotations },
    spec: {
      type: 'openapi',
      owner: 'group:default/guests',
      lifecycle: 'production',
      definition: '{}',
    },
  };
}

export const ENTITIES = [
  consumer('orders-service', ['payments-api', 'pizzashack-api', 'bare-api']),
  consumer('web-portal', ['orders-api']),
  api('orders-api', {
    'wso2.com/api-id': '3e34af34-7759-5522-aaf2-223a6fe13222',
    'wso2.com/api-name': 'OrdersAPI',
    'wso2.com/api-version': '1.0.0',
  }),
  api('payments-api', {
    'wso2.com/api-id': '06f2f7d0-5cfb-5351-ad34-3b3394409aa6',
    'wso2.com/api-name': 'PaymentsAPI',
    'wso2.com/api-version': '1.0.0',
  }),
  // Name + version only: found through API-M's API search.
  api('pizzashack-api', {
    'wso2.com/api-name': 'PizzaShackAPI',
    'wso2.com/api-version': '1.0.0',
  }),
  api('bare-api', {}),
];
