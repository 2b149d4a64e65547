/**
 * Approval before provisioning through the REST API, on the local stack (issue 14 item 1): an
 * owner's PUT in an environment that requires approval files a verified request (202) and maps
 * nothing; the requester cannot approve it; another approver can; the owner's second PUT (the
 * secret again) maps the client in API-M; providing it once more answers `unchanged` without a
 * new request. The secret is in no table, response or log line at any step.
 */
import { Knex } from 'knex';
import { mockCredentials } from '@backstage/backend-test-utils';
import { LocalStack } from '@internal/local-stack';
import { createTestDatabases } from './__testUtils__/databases';
import {
  Backend,
  approvalApimConfig,
  dumpDatabase,
  startBackend,
  startStack,
} from './__testUtils__/harness';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const OWNER = 'user:default/olivia';
const APPROVER = 'user:default/pat';
const as = (user: string) => ({
  authorization: mockCredentials.user.header(user),
});

describe('approval before production keys, through the REST API', () => {
  let stack: LocalStack & { logs: string[] };
  let knex: Knex;
  let backend: Backend;
  let client: { clientId: string; clientSecret: string };
  const CELL =
    '/entities/component/default/orders-service/credentials/production/IS';

  beforeAll(async () => {
    stack = await startStack();
    knex = await databases.init('SQLITE_3');
    backend = await startBackend({
      stack,
      knex,
      config: approvalApimConfig(stack),
    });
    client = await stack.keyManager.createClient({
      name: 'approval-client',
      grantTypes: ['client_credentials'],
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await stack?.stop();
  });

  const keysInApim = async () =>
    JSON.stringify(await stack.emulator.control.state()).includes(
      client.clientId,
    );

  it('files, is approved by someone else, and completes with the secret given again', async () => {
    const body = {
      consumerKey: client.clientId,
      consumerSecret: client.clientSecret,
    };
    /** After each step, not only at the end: a row written and deleted later counts too. */
    const expectNoSecretStored = async () =>
      expect(await dumpDatabase(knex)).not.toContain(client.clientSecret);
    const filed = await backend.call('put', CELL, body, as(OWNER));
    expect(filed.status).toBe(202);
    await expectNoSecretStored();
    expect(filed.body).toMatchObject({
      status: 'approval-pending',
      request: { state: 'pending', requestedBy: OWNER },
    });
    expect(await keysInApim()).toBe(false);
    const id = filed.body.request.id;

    const own = await backend.call(
      'post',
      `/approvals/${id}/approve`,
      {},
      as(OWNER),
    );
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe('SELF_APPROVAL');
    await expectNoSecretStored();

    const listed = await backend.call(
      'get',
      '/approvals?state=pending',
      undefined,
      as(APPROVER),
    );
    expect(listed.body.items).toContainEqual(expect.objectContaining({ id }));

    const approved = await backend.call(
      'post',
      `/approvals/${id}/approve`,
      { comment: 'ok for production' },
      as(APPROVER),
    );
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      state: 'approved',
      decidedBy: APPROVER,
    });
    await expectNoSecretStored();

    const mapped = await backend.call('put', CELL, body, as(OWNER));
    expect(mapped.status).toBe(201);
    expect(mapped.body).toMatchObject({
      status: 'created',
      consumerKey: client.clientId,
      keyType: 'PRODUCTION',
    });
    expect(await keysInApim()).toBe(true);

    const rows = await knex('apim_credentials_audit')
      .where({ consumer_key: client.clientId })
      .orderBy('seq')
      .select('action', 'outcome', 'actor');
    expect(rows.map(r => `${r.action}:${r.outcome}`)).toEqual([
      'verify:succeeded',
      'request-approval:succeeded',
      'approve:denied',
      'approve:succeeded',
      'provision:succeeded',
      // The entity's first key: its application is created on the way (a row of its own).
      'create-application:succeeded',
      'complete-request:succeeded',
    ]);

    // Nowhere, at no step: not a row of any table, not an answer, not a log line.
    await expectNoSecretStored();
    expect(backend.bodies.join('\n')).not.toContain(client.clientSecret);
    expect(backend.logs.join('\n')).not.toContain(client.clientSecret);
  });

  it('providing the client the cell maps already answers unchanged, and files no request', async () => {
    const again = await backend.call(
      'put',
      CELL,
      { consumerKey: client.clientId, consumerSecret: client.clientSecret },
      as(OWNER),
    );
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      status: 'unchanged',
      consumerKey: client.clientId,
    });
    expect(
      await knex('apim_credentials_approval_requests')
        .where({ consumer_key: client.clientId })
        .select('state'),
    ).toEqual([{ state: 'used' }]);
    const rows = await knex('apim_credentials_audit')
      .where({ consumer_key: client.clientId })
      .orderBy('seq')
      .select('action', 'outcome');
    expect(rows.slice(-1).map(r => `${r.action}:${r.outcome}`)).toEqual([
      'provision:unchanged',
    ]);
  });
});
