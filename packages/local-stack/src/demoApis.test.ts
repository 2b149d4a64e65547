import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_APIS } from './demoApis';

/** The example catalog's API entities must name exactly the APIs the stack publishes. */
describe('DEMO_APIS', () => {
  const entities = readFileSync(
    path.resolve(__dirname, '../../../examples/entities.yaml'),
    'utf8',
  ).split(/^---$/m);

  it.each(DEMO_APIS.map(a => [a.name, a] as const))(
    '%s has an API entity with the same id, name, version and context',
    (_name, api) => {
      const doc = entities.find(d =>
        d.includes(`wso2.com/api-id: ${api.id}\n`),
      );
      expect(doc).toBeDefined();
      expect(doc).toMatch(/^kind: API$/m);
      expect(doc).toContain(`wso2.com/api-name: ${api.name}\n`);
      expect(doc).toContain(`wso2.com/api-version: ${api.version}\n`);
      expect(doc).toContain(`wso2.com/api-context: ${api.context}\n`);
    },
  );

  it('every API entity is consumed or provided by an example component', () => {
    const apiNames = entities
      .filter(d => /^kind: API$/m.test(d))
      .map(d => d.match(/^ {2}name: (\S+)$/m)![1]);
    expect(apiNames.length).toBeGreaterThanOrEqual(DEMO_APIS.length);
    const used = entities
      .filter(d => /^kind: Component$/m.test(d))
      .flatMap(d => [...d.matchAll(/^ {2}consumesApis: \[(.*)\]$/gm)])
      .flatMap(m => m[1].split(',').map(s => s.trim()));
    for (const name of apiNames) expect(used).toContain(name);
  });
});
