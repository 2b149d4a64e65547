import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const provisionExamples: TemplateExample[] = [
  {
    description:
      'Provide an existing OAuth2 client, entered by the user (secret from a `ui:field: Secret` parameter), to a component in two environments',
    example: yaml.stringify({
      steps: [
        {
          id: 'provision',
          name: 'Provide OAuth2 client to API-M',
          action: 'apim:credentials:provision',
          input: {
            entityRef: '${{ parameters.component }}',
            environments: ['sandbox', 'production'],
            keyManager: '${{ parameters.keyManager }}',
            consumerKey: '${{ parameters.consumerKey }}',
            consumerSecret: '${{ secrets.consumerSecret }}',
            verify: true,
          },
        },
      ],
    }),
  },
  {
    description:
      'Register a freshly created component, wait for it to reach the catalog, then provide its client',
    example: yaml.stringify({
      steps: [
        {
          id: 'register',
          name: 'Register',
          action: 'catalog:register',
          input: {
            repoContentsUrl: '${{ steps.publish.output.repoContentsUrl }}',
            catalogInfoPath: '/catalog-info.yaml',
          },
        },
        {
          id: 'provision',
          name: 'Provide OAuth2 client to API-M',
          action: 'apim:credentials:provision',
          input: {
            entityRef: 'component:default/${{ parameters.name }}',
            environments: '${{ parameters.environments }}',
            keyManager: 'IS',
            consumerKey: '${{ parameters.consumerKey }}',
            consumerSecret: '${{ secrets.consumerSecret }}',
            waitForEntity: 60,
          },
        },
      ],
    }),
  },
  {
    description:
      'Fail rather than create the API-M application when the entity does not have one yet',
    example: yaml.stringify({
      steps: [
        {
          id: 'provision',
          name: 'Provide OAuth2 client to API-M',
          action: 'apim:credentials:provision',
          input: {
            entityRef: 'component:default/orders-service',
            environments: 'sandbox',
            keyManager: 'IS',
            consumerKey: '${{ parameters.consumerKey }}',
            consumerSecret: '${{ secrets.consumerSecret }}',
            createApplication: false,
          },
        },
      ],
    }),
  },
];
