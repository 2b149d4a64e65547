/**
 * End to end through the real scaffolder: a test backend with the scaffolder, this module, the
 * apim-credentials backend plugin, the catalog, real auth (the guest provider issues the user's
 * token, plugins verify each other's tokens) and the local stack (API-M emulator + key manager).
 * Runs the example templates "Provide an existing OAuth2 client" and, after it, "Remove an OAuth2
 * client mapping" through the scaffolder's own task API, then checks API-M (the emulator's state),
 * the key manager, the audit trail and the task's log.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { userInfoServiceFactory } from '@backstage/backend-defaults/userInfo';
import type {
  AuditRecord,
  Page,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { startLocalStack, LocalStack } from '@internal/local-stack';
import authPlugin from '@backstage/plugin-auth-backend';
import guestProviderModule from '@backstage/plugin-auth-backend-module-guest-provider';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogScaffolderEntityModelModule from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import scaffolderGithubModule from '@backstage/plugin-scaffolder-backend-module-github';
import yaml from 'yaml';
// Test only (a devDependency): the real backend plugin, so the actions are proven against it.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import apimCredentialsPlugin from '@apim-credentials/backstage-plugin-apim-credentials-backend';
import scaffolderModuleApimCredentials from '../index';

jest.setTimeout(240_000);

const REPO_ROOT = path.resolve(__dirname, '../../../..');
const TEMPLATE_FILE = path.join(
  REPO_ROOT,
  'examples/templates/provide-existing-client/template.yaml',
);
const TEMPLATE_REF = 'template:default/apim-provide-existing-client';
const REMOVE_TEMPLATE_FILE = path.join(
  REPO_ROOT,
  'examples/templates/remove-client-mapping/template.yaml',
);
const REMOVE_TEMPLATE_REF = 'template:default/apim-remove-client-mapping';
const NEW_SERVICE_DIR = path.join(
  REPO_ROOT,
  'examples/templates/new-service-with-client',
);
const ENTITY_REF = 'component:default/orders-service';
const GUEST = 'user:default/guest';

const ENTITIES = `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: guests }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: guest }
spec: { memberOf: [guests] }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: orders-service
  annotations:
    wso2.com/apim-application: orders-service
spec: { type: service, lifecycle: production, owner: group:default/guests }
`;

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

/**
 * What the form sends for one client in every environment: the ApimClientsPicker's value
 * (`clients`, each naming its secret) in the values, each secret in the task's secrets under
 * that name, never in the values.
 */
function clientsForm(
  values: Record<string, unknown> & {
    environments: string[];
    consumerKey: string;
  },
  secret: string,
) {
  const { consumerKey, ...rest } = values;
  return {
    values: {
      ...rest,
      clients: values.environments.map(environment => ({
        environment,
        consumerKey,
        secretName: `apimConsumerSecret_${environment}`,
      })),
    },
    secrets: Object.fromEntries(
      values.environments.map(e => [`apimConsumerSecret_${e}`, secret]),
    ),
  };
}

type Backend = Awaited<ReturnType<typeof startTestBackend>>;

interface TaskEvent {
  type: string;
  body: {
    message?: string;
    status?: string;
    stepId?: string;
    error?: unknown;
    output?: unknown;
  };
}

describe('apim:credentials:provision through the scaffolder', () => {
  let stack: LocalStack;
  let backend: Backend;
  let baseUrl: string;
  let userToken: string;
  let tmpDir: string;

  beforeAll(async () => {
    tmpDir = await fs.mkdtemp(path.join(os.tmpdir(), 'apim-scaffolder-it-'));
    stack = await startLocalStack({
      stateDir: path.join(tmpDir, 'stack'),
      emulatorPort: 0,
      keyManagerPort: 0,
    });
    const entitiesFile = path.join(tmpDir, 'entities.yaml');
    await fs.writeFile(
      entitiesFile,
      `${ENTITIES}---\n${SECRET_AS_PARAMETER_TEMPLATE}`,
    );
    await fs.mkdir(path.join(tmpDir, 'work'));

    backend = await startTestBackend({
      features: [
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            backend: { workingDirectory: path.join(tmpDir, 'work') },
            auth: {
              environment: 'development',
              providers: {
                guest: {
                  userEntityRef: GUEST,
                  dangerouslyAllowOutsideDevelopment: true,
                },
              },
            },
            catalog: {
              rules: [
                {
                  allow: ['Component', 'Group', 'User', 'Template', 'Location'],
                },
              ],
              locations: [
                { type: 'file', target: entitiesFile },
                { type: 'file', target: TEMPLATE_FILE },
                { type: 'file', target: REMOVE_TEMPLATE_FILE },
              ],
              processingInterval: { seconds: 1 },
            },
            apimCredentials: {
              instances: [
                {
                  id: 'local',
                  baseUrl: stack.emulator.url,
                  auth: {
                    username: 'svc-backstage',
                    password: 'svc-backstage',
                  },
                  tls: { ca: stack.tls.ca },
                  timeout: { seconds: 15 },
                },
              ],
              environments: [
                {
                  id: 'sandbox',
                  title: 'Sandbox',
                  instance: 'local',
                  keyType: 'SANDBOX',
                  // The stack's token endpoints are on localhost: listed, as an operator must.
                  tokenEndpoints: [
                    stack.emulator.url,
                    stack.keyManager.tokenEndpoint,
                  ].map(u => new URL(u).origin),
                },
                {
                  id: 'production',
                  title: 'Production',
                  instance: 'local',
                  keyType: 'PRODUCTION',
                  keyManagers: ['IS'],
                  tokenEndpoints: [
                    new URL(stack.keyManager.tokenEndpoint).origin,
                  ],
                },
              ],
              applications: {
                createIfMissing: true,
                throttlingPolicy: 'Unlimited',
              },
            },
          },
        }),
        // Real auth: the scaffolder obtains a plugin token on behalf of the user, and the
        // apim-credentials backend sees the user with the scaffolder as actor.
        authServiceFactory,
        httpAuthServiceFactory,
        userInfoServiceFactory,
        authPlugin,
        guestProviderModule,
        catalogPlugin,
        catalogScaffolderEntityModelModule,
        scaffolderPlugin,
        scaffolderGithubModule,
        apimCredentialsPlugin,
        scaffolderModuleApimCredentials,
      ],
    });
    baseUrl = `http://localhost:${backend.server.port()}`;

    const refresh = await fetch(
      `${baseUrl}/api/auth/guest/refresh?env=development`,
      {
        headers: { 'x-requested-with': 'XMLHttpRequest' },
      },
    );
    if (refresh.status !== 200) {
      throw new Error(
        `guest sign-in failed: HTTP ${refresh.status} ${await refresh.text()}`,
      );
    }
    userToken = (await refresh.json()).backstageIdentity.token;

    // The catalog has processed the templates and the component.
    await waitFor(async () => {
      const responses = await Promise.all([
        api(
          `/api/catalog/entities/by-name/template/default/apim-provide-existing-client`,
        ),
        api(
          `/api/catalog/entities/by-name/template/default/apim-remove-client-mapping`,
        ),
        api(`/api/catalog/entities/by-name/component/default/orders-service`),
        api(
          `/api/catalog/entities/by-name/template/default/secret-as-parameter`,
        ),
      ]);
      return responses.every(r => r.status === 200);
    }, 60_000);
  });

  afterAll(async () => {
    await backend?.stop();
    await stack?.stop();
    if (tmpDir) await fs.rm(tmpDir, { recursive: true, force: true });
  });

  function api(pathname: string, init: RequestInit = {}) {
    return fetch(`${baseUrl}${pathname}`, {
      ...init,
      headers: {
        authorization: `Bearer ${userToken}`,
        'content-type': 'application/json',
        ...(init.headers as Record<string, string>),
      },
    });
  }

  async function runTemplate(
    values: Record<string, unknown> & {
      environments: string[];
      consumerKey: string;
    },
    secret: string,
  ) {
    return runTask({
      templateRef: TEMPLATE_REF,
      ...clientsForm(values, secret),
    });
  }

  async function runTask(body: {
    templateRef: string;
    values: Record<string, unknown>;
    secrets?: Record<string, string>;
  }) {
    const created = await api('/api/scaffolder/v2/tasks', {
      method: 'POST',
      body: JSON.stringify(body),
    });
    const createdBody = await created.json();
    expect({ status: created.status, body: createdBody }).toMatchObject({
      status: 201,
    });
    const taskId: string = createdBody.id;

    let task: any;
    await waitFor(async () => {
      task = await (await api(`/api/scaffolder/v2/tasks/${taskId}`)).json();
      return ['completed', 'failed', 'cancelled'].includes(task.status);
    }, 120_000);
    const events: TaskEvent[] = await (
      await api(`/api/scaffolder/v2/tasks/${taskId}/events`)
    ).json();
    return { taskId, task, events };
  }

  async function auditRows(): Promise<AuditRecord[]> {
    const res = await api(
      `/api/apim-credentials/audit?entityRef=${encodeURIComponent(
        ENTITY_REF,
      )}&limit=100`,
    );
    expect(res.status).toBe(200);
    return ((await res.json()) as Page<AuditRecord>).items;
  }

  function sandboxClient() {
    const client = stack.demoClients.find(
      c => c.name === 'orders-service-sandbox',
    );
    if (!client)
      throw new Error('the local stack did not seed orders-service-sandbox');
    return client;
  }

  it('provides the client: mapping in API-M, audit rows naming the user via the scaffolder with the task id, no secret in the task', async () => {
    const client = sandboxClient();
    const values = {
      component: ENTITY_REF,
      environments: ['sandbox'],
      keyManager: 'IS',
      consumerKey: client.clientId,
      verify: true,
    };
    const { taskId, task, events } = await runTemplate(
      values,
      client.clientSecret,
    );

    const log = events
      .map(e => e.body.message)
      .filter(Boolean)
      .join('\n');
    expect({ status: task.status, log }).toMatchObject({ status: 'completed' });
    expect(log).toContain(
      `Mapped client ${client.clientId} into API-M application "orders-service"`,
    );

    const completion = events.find(e => e.type === 'completion');
    expect(completion?.body.output).toMatchObject({
      text: [{ content: expect.stringContaining('**orders-service**') }],
    });

    // API-M (the emulator) holds exactly this mapping.
    const state = await stack.emulator.control.state();
    const app = state.applications.find(
      (a: any) => a.name === 'orders-service',
    );
    expect(app).toBeDefined();
    const mappings = state.keyMappings.filter(
      m => m.applicationId === (app as any).applicationId,
    );
    expect(mappings).toEqual([
      expect.objectContaining({
        consumerKey: client.clientId,
        keyType: 'SANDBOX',
        keyManagerName: 'IS',
        mode: 'MAPPED',
      }),
    ]);

    // The audit trail: the user, through the scaffolder, with this task's id.
    const provisions = (await auditRows()).filter(
      r => r.action === 'provision',
    );
    expect(provisions).toEqual([
      expect.objectContaining({
        actor: GUEST,
        source: 'scaffolder',
        via: 'plugin:scaffolder',
        taskId,
        outcome: 'succeeded',
        environment: 'sandbox',
        keyManager: 'IS',
        consumerKey: client.clientId,
      }),
    ]);

    // The secret is nowhere in the task: not in its spec, log, events, output.
    const everything = JSON.stringify({ task, events });
    expect(everything).not.toContain(client.clientSecret);
    expect(JSON.stringify(await auditRows())).not.toContain(
      client.clientSecret,
    );
  });

  it('running the same template again changes nothing and succeeds', async () => {
    const client = sandboxClient();
    const { task, events } = await runTemplate(
      {
        component: ENTITY_REF,
        environments: ['sandbox'],
        keyManager: 'IS',
        consumerKey: client.clientId,
        verify: false,
      },
      client.clientSecret,
    );
    const log = events
      .map(e => e.body.message)
      .filter(Boolean)
      .join('\n');
    expect({ status: task.status, log }).toMatchObject({ status: 'completed' });
    expect(log).toContain(
      'was already mapped in environment "sandbox" (key manager "IS"); nothing changed',
    );
    const state = await stack.emulator.control.state();
    expect(
      state.keyMappings.filter(m => m.consumerKey === client.clientId),
    ).toHaveLength(1);
    expect(JSON.stringify({ task, events })).not.toContain(client.clientSecret);
  });

  it('fails with an actionable message, and no secret, when the credentials do not work', async () => {
    const prod = stack.demoClients.find(c => c.name === 'orders-service-prod')!;
    const wrongSecret = `${prod.clientSecret}-WRONG`;
    const { task, events } = await runTemplate(
      {
        component: ENTITY_REF,
        environments: ['production'],
        keyManager: 'IS',
        consumerKey: prod.clientId,
        verify: true,
      },
      wrongSecret,
    );
    const log = events
      .map(e => e.body.message)
      .filter(Boolean)
      .join('\n');
    expect({ status: task.status, log }).toMatchObject({ status: 'failed' });
    expect(log).toMatch(
      /environment "production" \(key manager "IS"\): verification failed/,
    );
    expect(JSON.stringify({ task, events })).not.toContain(wrongSecret);
    const state = await stack.emulator.control.state();
    expect(
      state.keyMappings.filter(m => m.consumerKey === prod.clientId),
    ).toEqual([]);
  });

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
      const auditBefore = await auditRows();
      const result = await runTask({
        templateRef: SECRET_AS_PARAMETER_REF,
        values: { consumerKey: client.clientId, consumerSecret: secretValue },
        secrets,
      });
      const log = result.events
        .map(e => e.body.message)
        .filter(Boolean)
        .join('\n');
      // Refused before any call: nothing in API-M, no audit row (the backend was never asked).
      const state = await stack.emulator.control.state();
      expect(
        state.keyMappings.filter(m => m.consumerKey === client.clientId),
      ).toEqual([]);
      expect(await auditRows()).toEqual(auditBefore);
      return { ...result, log, client };
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
    const state = await stack.emulator.control.state();
    expect(
      state.keyMappings.filter(m => m.consumerKey === prod.clientId),
    ).toEqual([]);
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

  it('"Remove an OAuth2 client mapping" removes the mapping the provisioning template made: gone from API-M, client kept, audited with the user, the scaffolder and the task id', async () => {
    const client = sandboxClient();
    const before = await stack.emulator.control.state();
    expect(
      before.keyMappings.filter(m => m.consumerKey === client.clientId),
    ).toHaveLength(1);

    const { taskId, task, events } = await runTask({
      templateRef: REMOVE_TEMPLATE_REF,
      // What the form sends: the environments picker's ids and the key manager picker's name.
      values: {
        component: ENTITY_REF,
        environments: ['sandbox'],
        keyManager: 'IS',
      },
    });
    const log = events
      .map(e => e.body.message)
      .filter(Boolean)
      .join('\n');
    expect({ status: task.status, log }).toMatchObject({ status: 'completed' });
    expect(log).toContain(`Removed client ${client.clientId} from`);
    const completion = events.find(e => e.type === 'completion');
    expect(completion?.body.output).toMatchObject({
      text: [{ content: expect.stringContaining('The client still exists') }],
    });

    // Gone from API-M (the emulator) ...
    const after = await stack.emulator.control.state();
    expect(
      after.keyMappings.filter(m => m.consumerKey === client.clientId),
    ).toEqual([]);
    // ... while the client lives on in its key manager and still gets tokens.
    expect(
      await stack.keyManager.client.getClient(client.clientId),
    ).toMatchObject({ clientId: client.clientId });
    await expect(
      stack.keyManager.client.requestToken(client),
    ).resolves.toMatchObject({ access_token: expect.any(String) });

    // The audit trail: the user, through the scaffolder, with this task's id.
    const removals = (await auditRows()).filter(
      r => r.action === 'unprovision',
    );
    expect(removals).toEqual([
      expect.objectContaining({
        actor: GUEST,
        source: 'scaffolder',
        via: 'plugin:scaffolder',
        taskId,
        outcome: 'succeeded',
        entityRef: ENTITY_REF,
        environment: 'sandbox',
        keyManager: 'IS',
        consumerKey: client.clientId,
      }),
    ]);
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

async function readDirectory(
  dir: string,
  prefix = '',
): Promise<Array<{ path: string; base64Content: string }>> {
  const files: Array<{ path: string; base64Content: string }> = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      files.push(
        ...(await readDirectory(path.join(dir, entry.name), relative)),
      );
    } else {
      files.push({
        path: relative,
        base64Content: (await fs.readFile(path.join(dir, entry.name))).toString(
          'base64',
        ),
      });
    }
  }
  return files;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (e) {
      lastError = e;
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error(
    `Timed out after ${timeoutMs} ms${lastError ? `: ${lastError}` : ''}`,
  );
}
