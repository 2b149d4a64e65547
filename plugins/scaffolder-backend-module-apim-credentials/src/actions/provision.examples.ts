import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** An example: its description and its steps as the YAML a template holds. */
function example(description: string, ...steps: object[]): TemplateExample {
  return { description, example: yaml.stringify({ steps }) };
}

/** A step of `apim:credentials:provision` with `input`, under the id and name of every example. */
function provisionStep(input: Record<string, unknown>) {
  return {
    id: 'provision',
    name: 'Provide OAuth2 client to API-M',
    action: 'apim:credentials:provision',
    input,
  };
}

export const provisionExamples: TemplateExample[] = [
  example(
    'Provide one existing OAuth2 client per environment, entered by the user in an `ApimClientsPicker` field (it puts each secret into the task secrets and names it in `secretName`); every environment is checked before any changes',
    provisionStep({
      entityRef: '${{ parameters.component }}',
      keyManager: '${{ parameters.keyManager }}',
      clients: '${{ parameters.clients }}',
      verify: true,
    }),
  ),
  example(
    'Register a freshly created component, wait for it to reach the catalog, then provide its client',
    {
      id: 'register',
      name: 'Register',
      action: 'catalog:register',
      input: {
        repoContentsUrl: '${{ steps.publish.output.repoContentsUrl }}',
        catalogInfoPath: '/catalog-info.yaml',
      },
    },
    provisionStep({
      entityRef: 'component:default/${{ parameters.name }}',
      keyManager: 'IS',
      clients: '${{ parameters.clients }}',
      waitForEntity: 60,
    }),
  ),
  example(
    'Provide one client written into the template, for one environment (secret from a `ui:field: Secret` parameter)',
    provisionStep({
      entityRef: '${{ parameters.component }}',
      environments: ['sandbox'],
      keyManager: '${{ parameters.keyManager }}',
      consumerKey: '${{ parameters.consumerKey }}',
      consumerSecret: '${{ secrets.consumerSecret }}',
    }),
  ),
  example(
    'Fail rather than create the API-M application when the entity does not have one yet',
    provisionStep({
      entityRef: 'component:default/orders-service',
      environments: 'sandbox',
      keyManager: 'IS',
      consumerKey: '${{ parameters.consumerKey }}',
      consumerSecret: '${{ secrets.consumerSecret }}',
      createApplication: false,
    }),
  ),
];
