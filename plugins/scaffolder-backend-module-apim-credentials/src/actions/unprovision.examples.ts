import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const unprovisionExamples: TemplateExample[] = [
  {
    description: "Remove a component's OAuth2 client from two environments",
    example: yaml.stringify({
      steps: [
        {
          id: 'unprovision',
          name: 'Remove OAuth2 client from API-M',
          action: 'apim:credentials:unprovision',
          input: {
            entityRef: '${{ parameters.component }}',
            environments: ['sandbox', 'production'],
            keyManager: 'IS',
          },
        },
      ],
    }),
  },
];
