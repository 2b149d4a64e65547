import type { Entity } from '@backstage/catalog-model';
import { isApimCredentialsAvailable } from './conditions';

const key = 'wso2.com/apim-application';

function withAnnotations(annotations?: Record<string, unknown>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'x', annotations } as Entity['metadata'],
  };
}

describe('isApimCredentialsAvailable', () => {
  it.each([
    { what: 'no annotations', annotations: undefined, expected: false },
    {
      what: 'another annotation',
      annotations: { 'backstage.io/source': 'x' },
      expected: false,
    },
    { what: 'an empty name', annotations: { [key]: '' }, expected: false },
    { what: 'only spaces', annotations: { [key]: '   ' }, expected: false },
    {
      what: 'a tab and a newline',
      annotations: { [key]: '\t\n' },
      expected: false,
    },
    { what: 'not a string', annotations: { [key]: 42 }, expected: false },
    { what: 'a name', annotations: { [key]: 'orders-app' }, expected: true },
    {
      what: 'a name with spaces around',
      annotations: { [key]: ' orders-app ' },
      expected: true,
    },
  ])('$what -> $expected', ({ annotations, expected }) => {
    expect(isApimCredentialsAvailable(withAnnotations(annotations))).toBe(
      expected,
    );
  });
});
