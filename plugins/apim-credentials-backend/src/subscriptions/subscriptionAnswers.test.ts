/**
 * Subscriptions (issue 16), the answers that need no subscription state: API-M's "Workflow status
 * is not Approved" for an application pending approval, bad input, and the permission (403 and a
 * denied audit row), against the real local stack.
 */
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createTestDatabases } from '../__testUtils__/databases';
import { startBackend, useStackBackend } from '../__testUtils__/harness';
import { ENTITIES } from '../__testUtils__/subscriptionEntities';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const SUBS = '/entities/component/default/orders-service/subscriptions';

describe('subscriptions: API-M answers, input and permission', () => {
  const suite = useStackBackend({
    databases,
    entities: ENTITIES,
    timeoutMs: 240_000,
  });

  it('an application pending approval: 400 APPLICATION_PENDING_APPROVAL saying what to do', async () => {
    await suite.stack.emulator.control.setConfig({
      applicationApprovalWorkflow: true,
    });
    try {
      const client = await suite.stack.keyManager.createClient({
        name: 'web-portal-sub-test',
        grantTypes: ['client_credentials'],
      });
      const provisioned = await suite.backend.call(
        'put',
        '/entities/component/default/web-portal/credentials/sandbox/IS',
        { consumerKey: client.clientId, consumerSecret: client.clientSecret },
      );
      expect(provisioned.status).toBe(201);
      const res = await suite.backend.call(
        'put',
        '/entities/component/default/web-portal/subscriptions/sandbox/orders-api',
        {},
      );
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('APPLICATION_PENDING_APPROVAL');
      expect(res.body.error.message).toMatch(/waiting for approval/);
    } finally {
      await suite.stack.emulator.control.setConfig({
        applicationApprovalWorkflow: false,
      });
    }
  });

  it('bad input names the field', async () => {
    const res = await suite.backend.call(
      'put',
      `${SUBS}/sandbox/payments-api`,
      {
        tier: 'Gold',
        extra: 1,
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/body/);
    const notApi = await suite.backend.call(
      'put',
      `${SUBS}/sandbox/${encodeURIComponent('component:default/web-portal')}`,
      {},
    );
    expect(notApi.status).toBe(400);
    expect(notApi.body.error.message).toMatch(/not an API entity/);
    const env = await suite.backend.call(
      'put',
      `${SUBS}/nowhere/payments-api`,
      {},
    );
    expect(env.status).toBe(404);
  });

  it('without apim.subscriptions.manage: 403 and a denied audit row, nothing subscribed', async () => {
    const denying = await startBackend({
      stack: suite.stack,
      knex: suite.knex,
      entities: ENTITIES,
      permission: AuthorizeResult.DENY,
    });
    try {
      const before = (await suite.stack.emulator.control.state()).subscriptions
        .length;
      const res = await denying.call('put', `${SUBS}/sandbox/orders-api`, {});
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('PERMISSION_DENIED');
      expect(
        (await suite.stack.emulator.control.state()).subscriptions,
      ).toHaveLength(before);
      const sync = await denying.call('post', `${SUBS}/sandbox/sync`, {});
      expect(sync.status).toBe(403);
      const denied = await suite.knex('apim_credentials_audit').where({
        outcome: 'denied',
        action: 'subscribe',
      });
      // Repeated denials of one actor and entity may share a row (its `attempts`; deniedRows.ts).
      const attempts = denied.reduce(
        (n: number, r: any) => n + Number(r.attempts ?? 1),
        0,
      );
      expect(attempts).toBeGreaterThanOrEqual(2);
      expect(denied[0].error_code).toBe('PERMISSION_DENIED');
    } finally {
      await denying.stop();
    }
  });
});
