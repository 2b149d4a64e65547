import { canonicalEntityRef } from './entityRefs';

describe('canonicalEntityRef', () => {
  it.each([
    ['Component:Default/Orders-Service', 'component:default/orders-service'],
    ['component:orders', 'component:default/orders'],
    ['User:Default/ÖZLEM', 'user:default/özlem'],
    ['Group:Default/İSTANBUL-Team', 'group:default/i̇stanbul-team'],
  ])('%s -> %s, as the catalog folds refs', (ref, expected) => {
    expect(canonicalEntityRef(ref)).toBe(expected);
    expect(canonicalEntityRef(ref)).toBe(
      canonicalEntityRef(ref).toLocaleLowerCase('en-US'),
    );
  });

  it('takes compound refs and entities', () => {
    expect(canonicalEntityRef({ kind: 'Component', name: 'Web' })).toBe(
      'component:default/web',
    );
    expect(
      canonicalEntityRef({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'API',
        metadata: { name: 'PaymentsAPI', namespace: 'Finance' },
      }),
    ).toBe('api:finance/paymentsapi');
  });
});
