/**
 * End to end through the real scaffolder: a test backend with the scaffolder, this module, the
 * apim-credentials backend plugin, the catalog, real auth (the guest provider issues the user's
 * token, plugins verify each other's tokens) and the local stack (API-M emulator + key manager);
 * the setup is __testUtils__/scaffolderBackend.ts. Runs the example templates "Provide an existing
 * OAuth2 client" and, after it, "Remove an OAuth2 client mapping" through the scaffolder's own
 * task API, then checks API-M (the emulator's state), the key manager, the audit trail and the
 * task's log. The approval case is approval.integration.test.ts.
 */
import type { AuditRecord } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { LocalStack } from '@internal/local-stack';
import {
  ENTITY_REF,
  GUEST,
  REMOVE_TEMPLATE_REF,
  ScaffolderBackend,
  TEMPLATE_REF,
  clientsForm,
  scaffolderDatabases,
  startScaffolderBackend,
} from '../__testUtils__/scaffolderBackend';

jest.setTimeout(240_000);

const databases = scaffolderDatabases();

describe('apim:credentials:provision through the scaffolder', () => {
  let t: ScaffolderBackend;
  let stack: LocalStack;

  beforeAll(async () => {
    t = await startScaffolderBackend({ databases });
    stack = t.stack;
  });

  afterAll(async () => {
    await t?.stop();
  });

  const runTask: ScaffolderBackend['runTask'] = body => t.runTask(body);

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

  /** ENTITY_REF's audit rows of `action`. */
  async function auditRowsOf(action: string): Promise<AuditRecord[]> {
    return (await t.auditRows()).filter(r => r.action === action);
  }

  /** A sandbox (IS) audit row that succeeded for the guest, through the scaffolder, in task `taskId`. */
  function succeededInTask(taskId: string, row: Partial<AuditRecord>) {
    return expect.objectContaining({
      actor: GUEST,
      source: 'scaffolder',
      via: 'plugin:scaffolder',
      taskId,
      outcome: 'succeeded',
      environment: 'sandbox',
      keyManager: 'IS',
      ...row,
    });
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
    const { taskId, task, events, log } = await runTemplate(
      values,
      client.clientSecret,
    );
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
    expect(await auditRowsOf('provision')).toEqual([
      succeededInTask(taskId, { consumerKey: client.clientId }),
    ]);

    // The secret is nowhere in the task: not in its spec, log, events, output.
    const everything = JSON.stringify({ task, events });
    expect(everything).not.toContain(client.clientSecret);
    expect(JSON.stringify(await t.auditRows())).not.toContain(
      client.clientSecret,
    );
  });

  it('running the same template again changes nothing and succeeds', async () => {
    const client = sandboxClient();
    const { task, events, log } = await runTemplate(
      {
        component: ENTITY_REF,
        environments: ['sandbox'],
        keyManager: 'IS',
        consumerKey: client.clientId,
        verify: false,
      },
      client.clientSecret,
    );
    expect({ status: task.status, log }).toMatchObject({ status: 'completed' });
    expect(log).toContain(
      'was already mapped in environment "sandbox" (key manager "IS"); nothing changed',
    );
    expect(await t.keyMappingsOf(client.clientId)).toHaveLength(1);
    expect(JSON.stringify({ task, events })).not.toContain(client.clientSecret);
  });

  it('fails with an actionable message, and no secret, when the credentials do not work', async () => {
    const prod = stack.demoClients.find(c => c.name === 'orders-service-prod')!;
    const wrongSecret = `${prod.clientSecret}-WRONG`;
    const { task, events, log } = await runTemplate(
      {
        component: ENTITY_REF,
        environments: ['production'],
        keyManager: 'IS',
        consumerKey: prod.clientId,
        verify: true,
      },
      wrongSecret,
    );
    expect({ status: task.status, log }).toMatchObject({ status: 'failed' });
    expect(log).toMatch(
      /environment "production" \(key manager "IS"\): verification failed/,
    );
    expect(JSON.stringify({ task, events })).not.toContain(wrongSecret);
    expect(await t.keyMappingsOf(prod.clientId)).toEqual([]);
  });

  it('"Remove an OAuth2 client mapping" removes the mapping the provisioning template made: gone from API-M, client kept, audited with the user, the scaffolder and the task id', async () => {
    const client = sandboxClient();
    expect(await t.keyMappingsOf(client.clientId)).toHaveLength(1);

    const { taskId, task, events, log } = await runTask({
      templateRef: REMOVE_TEMPLATE_REF,
      // What the form sends: the environments picker's ids and the key manager picker's name.
      values: {
        component: ENTITY_REF,
        environments: ['sandbox'],
        keyManager: 'IS',
      },
    });
    expect({ status: task.status, log }).toMatchObject({ status: 'completed' });
    expect(log).toContain(`Removed client ${client.clientId} from`);
    const completion = events.find(e => e.type === 'completion');
    expect(completion?.body.output).toMatchObject({
      text: [{ content: expect.stringContaining('The client still exists') }],
    });

    // Gone from API-M (the emulator) ...
    expect(await t.keyMappingsOf(client.clientId)).toEqual([]);
    // ... while the client lives on in its key manager and still gets tokens.
    expect(
      await stack.keyManager.client.getClient(client.clientId),
    ).toMatchObject({ clientId: client.clientId });
    await expect(
      stack.keyManager.client.requestToken(client),
    ).resolves.toMatchObject({ access_token: expect.any(String) });

    // The audit trail: the user, through the scaffolder, with this task's id.
    expect(await auditRowsOf('unprovision')).toEqual([
      succeededInTask(taskId, {
        entityRef: ENTITY_REF,
        consumerKey: client.clientId,
      }),
    ]);
  });
});
