import type { TemplateExample } from '@backstage/plugin-scaffolder-node';

/** The examples `apim:subscriptions:sync` shows in the scaffolder's action list. */
export const subscriptionsSyncExamples: TemplateExample[] = [
  {
    description:
      'Subscribe the new component to the APIs it declares, in the sandbox',
    example: [
      'steps:',
      '  - id: subscribe',
      '    action: apim:subscriptions:sync',
      '    input:',
      "      entityRef: ${{ steps['register'].output.entityRef }}",
      '      environments: [sandbox]',
      '      fromCatalog: true',
      '      # catalog:register added it; wait until the catalog has processed it',
      '      waitForEntity: 120',
    ].join('\n'),
  },
  {
    description: 'Subscribe to two APIs explicitly, in sandbox and production',
    example: [
      'steps:',
      '  - id: subscribe',
      '    action: apim:subscriptions:sync',
      '    input:',
      '      entityRef: component:default/orders-service',
      '      environments: [sandbox, production]',
      '      fromCatalog: false',
      '      apis: [api:default/payments-api, api:default/orders-api]',
    ].join('\n'),
  },
];
