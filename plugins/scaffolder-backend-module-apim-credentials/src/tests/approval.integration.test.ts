/**
 * Approval before provisioning through the real scaffolder (issue 14 item 1), end to end: in an
 * environment that requires approval, "Provide an existing OAuth2 client" files the request and
 * completes (its output names the request's id and state; nothing is mapped); an approver, who is
 * another user, approves it through the REST API; running the task again maps the client, and a
 * third run changes nothing. The secret is in no task spec, log, output, and in no table of any
 * plugin's database, at any step.
 */
import { promises as fs } from 'node:fs';
import yaml from 'yaml';
import {
  ENTITY_REF,
  FinishedTask,
  ScaffolderBackend,
  TEMPLATE_FILE,
  clientsForm,
  scaffolderDatabases,
  startScaffolderBackend,
} from '../__testUtils__/scaffolderBackend';
import { signInAsModule } from '../__testUtils__/signInAs';

jest.setTimeout(240_000);

const databases = scaffolderDatabases();
const APPROVER = 'user:default/pat';
const TEMPLATE = 'apim-provide-with-approval';

/** The example template, with the provision step's approvals and mappings in its output. */
async function templateWithOutputs(): Promise<string> {
  const template = yaml.parse(await fs.readFile(TEMPLATE_FILE, 'utf8'));
  template.metadata.name = TEMPLATE;
  template.spec.output = {
    ...template.spec.output,
    approvals: '${{ steps.provision.output.approvals }}',
    mappings: '${{ steps.provision.output.mappings }}',
  };
  return yaml.stringify(template);
}

describe('apim:credentials:provision in an environment that requires approval, through the scaffolder', () => {
  let t: ScaffolderBackend;

  beforeAll(async () => {
    t = await startScaffolderBackend({
      databases,
      catalogYaml: [await templateWithOutputs()],
      entityPaths: [`template/default/${TEMPLATE}`],
      configure: apimCredentials => {
        apimCredentials.environments[1].approval = { required: true };
      },
      auth: { approver: { userEntityRef: APPROVER } },
      features: [signInAsModule('approver', APPROVER)],
    });
  });

  afterAll(async () => {
    await t?.stop();
  });

  const output = (run: FinishedTask) =>
    run.events.filter(e => e.type === 'completion').pop()?.body.output as any;

  it('files the request, is approved by another user, maps on the next run and changes nothing on the third', async () => {
    const prod = t.stack.demoClients.find(
      c => c.name === 'orders-service-prod',
    )!;
    const secret = prod.clientSecret;
    const form = clientsForm(
      {
        component: ENTITY_REF,
        environments: ['production'],
        keyManager: 'IS',
        consumerKey: prod.clientId,
        verify: true,
      },
      secret,
    );
    const inApim = async () =>
      (await t.stack.emulator.control.state()).keyMappings.filter(
        m => m.consumerKey === prod.clientId,
      );
    const noSecretAnywhere = async (run: FinishedTask) => {
      expect(JSON.stringify(run)).not.toContain(secret);
      const dump = await t.dumpDatabases();
      // Every plugin's tables, the request and the task among them (the client id is there).
      expect(dump).toContain(
        '"apim-credentials.apim_credentials_approval_requests"',
      );
      expect(dump).toContain('"scaffolder.tasks"');
      expect(dump).toContain(prod.clientId);
      expect(dump).not.toContain(secret);
    };

    // 1. The request is filed; the task succeeds and says so; nothing is mapped.
    const first = await t.runTask({
      templateRef: `template:default/${TEMPLATE}`,
      ...form,
    });
    expect({ status: first.task.status, log: first.log }).toMatchObject({
      status: 'completed',
    });
    expect(output(first)).toMatchObject({
      mappings: [],
      approvals: [
        {
          environment: 'production',
          keyManager: 'IS',
          consumerKey: prod.clientId,
          requestId: expect.any(String),
          state: 'pending',
        },
      ],
    });
    expect(await inApim()).toEqual([]);
    await noSecretAnywhere(first);
    const id: string = output(first).approvals[0].requestId;

    // 2. The requester may not approve it; another user approves it through the REST API.
    const own = await t.api(`/api/apim-credentials/approvals/${id}/approve`, {
      method: 'POST',
      body: '{}',
    });
    expect(own.status).toBe(403);
    const approverToken = await t.signIn('approver');
    const approved = await t.api(
      `/api/apim-credentials/approvals/${id}/approve`,
      { method: 'POST', body: JSON.stringify({ comment: 'fine' }) },
      approverToken,
    );
    expect({ status: approved.status, body: await approved.json() }).toEqual({
      status: 200,
      body: expect.objectContaining({
        id,
        state: 'approved',
        decidedBy: APPROVER,
      }),
    });

    // 3. Running the task again (the secret given again) maps the client.
    const second = await t.retryTask(first.taskId, form.secrets);
    expect({ status: second.task.status, log: second.log }).toMatchObject({
      status: 'completed',
    });
    expect(output(second)).toMatchObject({
      approvals: [],
      mappings: [
        {
          environment: 'production',
          consumerKey: prod.clientId,
          status: 'created',
        },
      ],
    });
    expect(await inApim()).toEqual([
      expect.objectContaining({ keyType: 'PRODUCTION', keyManagerName: 'IS' }),
    ]);
    await noSecretAnywhere(second);

    // 4. A third run changes nothing and files no new request.
    const third = await t.retryTask(first.taskId, form.secrets);
    expect(third.task.status).toBe('completed');
    expect(await inApim()).toHaveLength(1);
    const requests = await (
      await t.api('/api/apim-credentials/approvals', {}, approverToken)
    ).json();
    expect(
      requests.items.filter((r: any) => r.consumerKey === prod.clientId),
    ).toEqual([expect.objectContaining({ id, state: 'used' })]);
    await noSecretAnywhere(third);
  });
});
