/**
 * The scaffolder's checks of the templates, end to end (setup: __testUtils__/scaffolderBackend.ts):
 * a template without a secret, or passing the secret as a parameter, is refused before anything
 * is asked of the backend; the pickers' values keep their schema types; dry runs of "Provide an
 * existing OAuth2 client" and "New service with its OAuth2 client" plan without mapping anything.
 * No secret in any answer.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { LocalStack } from '@internal/local-stack';
import yaml from 'yaml';
import {
  ENTITY_REF,
  NEW_SERVICE_DIR,
  REMOVE_TEMPLATE_REF,
  ScaffolderBackend,
  TEMPLATE_FILE,
  TEMPLATE_REF,
  TaskEvent,
  clientsForm,
  readDirectory,
  scaffolderDatabases,
  startScaffolderBackend,
} from '../__testUtils__/scaffolderBackend';

jest.setTimeout(240_000);

const databases = scaffolderDatabases();

// A template that gets the secret wrong: from parameters, where the scaffolder stores it with the
// task spec (issue 10, item 4). The action must refuse it before it calls anything.
const SECRET_AS_PARAMETER_TEMPLATE = yaml.stringify({
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: { name: 'secret-as-parameter' },
  spec: {
    owner: 'group:default/guests',
    type: 'service',
    parameters: [
      {
        required: ['consumerKey', 'consumerSecret'],
        properties: {
          consumerKey: { type: 'string' },
          consumerSecret: { type: 'string', 'ui:field': 'Secret' },
        },
      },
    ],
    steps: [
      {
        id: 'provision',
        name: 'Provide OAuth2 client to API-M',
        action: 'apim:credentials:provision',
        input: {
          entityRef: ENTITY_REF,
          environments: ['sandbox'],
          keyManager: 'IS',
          consumerKey: '${{ parameters.consumerKey }}',
          consumerSecret: '${{ parameters.consumerSecret }}',
        },
      },
    ],
  },
});
const SECRET_AS_PARAMETER_REF = 'template:default/secret-as-parameter';

describe('template checks and dry runs through the scaffolder', () => {
  let t: ScaffolderBackend;
  let stack: LocalStack;

  beforeAll(async () => {
    t = await startScaffolderBackend({
      databases,
      catalogYaml: [SECRET_AS_PARAMETER_TEMPLATE],
      entityPaths: ['template/default/secret-as-parameter'],
    });
    stack = t.stack;
  });

  afterAll(async () => {
    await t?.stop();
  });

  const api = (pathname: string, init?: RequestInit) => t.api(pathname, init);
  const runTask: ScaffolderBackend['runTask'] = body => t.runTask(body);

  it('refuses to start the template without a secret (spec.secrets needs one)', async () => {
    const res = await api('/api/scaffolder/v2/tasks', {
      method: 'POST',
      body: JSON.stringify({
        templateRef: TEMPLATE_REF,
        values: clientsForm(
          {
            component: ENTITY_REF,
            environments: ['sandbox'],
            keyManager: 'IS',
            consumerKey: 'abc',
          },
          '',
        ).values,
        secrets: {},
      }),
    });
    expect(res.status).toBe(400);
  });

  describe('a template that passes the secret as a parameter (issue 10, item 4)', () => {
    async function runSecretAsParameter(
      secretValue: string,
      secrets: Record<string, string>,
    ) {
      const client = stack.demoClients.find(
        c => c.name === 'payments-service-sandbox',
      )!;
      const auditBefore = await t.auditRows();
      const result = await runTask({
        templateRef: SECRET_AS_PARAMETER_REF,
        values: { consumerKey: client.clientId, consumerSecret: secretValue },
        secrets,
      });
      // Refused before any call: nothing in API-M, no audit row (the backend was never asked).
      expect(await t.keyMappingsOf(client.clientId)).toEqual([]);
      expect(await t.auditRows()).toEqual(auditBefore);
      return { ...result, client };
    }

    it('fails the task, naming secrets.consumerSecret, and sends the secret nowhere', async () => {
      const secret = stack.demoClients.find(
        c => c.name === 'payments-service-sandbox',
      )!.clientSecret;
      const { task, log } = await runSecretAsParameter(secret, {});
      expect({ status: task.status, log }).toMatchObject({ status: 'failed' });
      expect(log).toContain(
        "consumerSecret does not come from the template's secrets. Pass it as ${{ secrets.consumerSecret }}",
      );
      expect(log).not.toContain(secret);
    });

    it('fails the task on the masked copy the Secret field leaves in parameters', async () => {
      const secret = stack.demoClients.find(
        c => c.name === 'payments-service-sandbox',
      )!.clientSecret;
      const { task, log } = await runSecretAsParameter(
        '*'.repeat(secret.length),
        { consumerSecret: secret },
      );
      expect({ status: task.status, log }).toMatchObject({ status: 'failed' });
      expect(log).toContain(
        'consumerSecret is a masked value (only asterisks)',
      );
      expect(log).toContain('${{ secrets.consumerSecret }}');
    });
  });

  it('dry run of "Provide an existing OAuth2 client" checks with the backend and maps nothing', async () => {
    const prod = stack.demoClients.find(c => c.name === 'orders-service-prod')!;
    const template = yaml.parse(await fs.readFile(TEMPLATE_FILE, 'utf8'));
    const res = await api('/api/scaffolder/v2/dry-run', {
      method: 'POST',
      body: JSON.stringify({
        template,
        ...clientsForm(
          {
            component: ENTITY_REF,
            environments: ['production'],
            keyManager: 'IS',
            consumerKey: prod.clientId,
            verify: true,
          },
          prod.clientSecret,
        ),
        directoryContents: [],
      }),
    });
    const body = await res.json();
    expect(res.status).toBe(200);
    const log = (body.log as TaskEvent[]).map(e => e.body.message).join('\n');
    expect(log).toContain(
      `Dry run: would map client ${prod.clientId} into API-M application "orders-service" in environment "production" (key manager "IS")`,
    );
    expect(JSON.stringify(body)).not.toContain(prod.clientSecret);
    expect(await t.keyMappingsOf(prod.clientId)).toEqual([]);
  });

  it('dry run of "New service with its OAuth2 client" renders the annotated skeleton and plans the provisioning', async () => {
    const client = stack.demoClients.find(
      c => c.name === 'payments-service-sandbox',
    )!;
    const template = yaml.parse(
      await fs.readFile(path.join(NEW_SERVICE_DIR, 'template.yaml'), 'utf8'),
    );
    const res = await api('/api/scaffolder/v2/dry-run', {
      method: 'POST',
      body: JSON.stringify({
        template,
        ...clientsForm(
          {
            name: 'inventory-service',
            description: 'Keeps stock',
            owner: 'group:default/guests',
            publishTo: 'github',
            repoUrl: 'github.com?owner=acme&repo=inventory-service',
            environments: ['sandbox'],
            keyManager: 'IS',
            consumerKey: client.clientId,
          },
          client.clientSecret,
        ),
        directoryContents: await readDirectory(NEW_SERVICE_DIR),
      }),
    });
    const body = await res.json();
    expect({ status: res.status, body }).toMatchObject({ status: 200 });
    const log = (body.log as TaskEvent[]).map(e => e.body.message).join('\n');
    expect(log).toContain(
      `Dry run: would wait up to 120 seconds for component:default/inventory-service to be in the catalog, then provide client ${client.clientId} in environment "sandbox" (key manager "IS")`,
    );
    const files = Object.fromEntries(
      (
        body.directoryContents as Array<{ path: string; base64Content: string }>
      ).map(f => [
        f.path,
        Buffer.from(f.base64Content, 'base64').toString('utf8'),
      ]),
    );
    const entity = yaml.parse(files['catalog-info.yaml']);
    expect(entity).toMatchObject({
      kind: 'Component',
      metadata: {
        name: 'inventory-service',
        annotations: { 'wso2.com/apim-application': 'inventory-service' },
      },
      spec: { owner: 'group:default/guests' },
    });
    expect(JSON.stringify(body)).not.toContain(client.clientSecret);
  });

  it('the picker fields keep their schema types, so the scaffolder backend still rejects bad values', async () => {
    for (const values of [
      { component: ENTITY_REF, environments: 'sandbox', keyManager: 'IS' },
      { component: ENTITY_REF, environments: [], keyManager: 'IS' },
      { component: ENTITY_REF, environments: ['sandbox'], keyManager: 42 },
    ]) {
      const res = await api('/api/scaffolder/v2/tasks', {
        method: 'POST',
        body: JSON.stringify({ templateRef: REMOVE_TEMPLATE_REF, values }),
      });
      expect({ values, status: res.status }).toEqual({ values, status: 400 });
    }
  });
});
