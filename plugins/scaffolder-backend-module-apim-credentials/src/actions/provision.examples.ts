import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const provisionExamples: TemplateExample[] = [
  {
    description:
      'Provide one existing OAuth2 client per environment, entered by the user in an `ApimClientsPicker` field (it puts each secret into the task secrets and names it in `secretName`); every environment is checked before any changes',
    example: yaml.stringify({
      steps: [
        {
          id: 'provision',
          name: 'Provide OAuth2 client to API-M',
          action: 'apim:credentials:provision',
          input: {
            entityRef: '${{ parameters.component }}',
            keyManager: '${{ parameters.keyManager }}',
            clients: '${{ parameters.clients }}',
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
            keyManager: 'IS',
            clients: '${{ parameters.clients }}',
            waitForEntity: 60,
          },
        },
      ],
    }),
  },
  {
    description:
      'Provide one client written into the template, for one environment (secret from a `ui:field: Secret` parameter)',
    example: yaml.stringify({
      steps: [
        {
          id: 'provision',
          name: 'Provide OAuth2 client to API-M',
          action: 'apim:credentials:provision',
          input: {
            entityRef: '${{ parameters.component }}',
            environments: ['sandbox'],
            keyManager: '${{ parameters.keyManager }}',
            consumerKey: '${{ parameters.consumerKey }}',
            consumerSecret: '${{ secrets.consumerSecret }}',
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
