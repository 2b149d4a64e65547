import { canonicalRef } from './canonicalRef';

describe('canonicalRef (audit actors and entity refs)', () => {
  it.each([
    ['user:default/Guest', 'user:default/guest'],
    ['User:guest', 'user:default/guest'],
    ['component:Orders-Service', 'component:default/orders-service'],
    // service principals' subjects are not entity refs: no namespace is made up
    ['external:test-service', 'external:test-service'],
    ['external:Test-Service', 'external:test-service'],
    ['plugin:scaffolder', 'plugin:scaffolder'],
    ['not a ref', 'not a ref'],
  ])('%s -> %s', (ref, canonical) => {
    expect(canonicalRef(ref)).toBe(canonical);
  });
});
