/**
 * Approval before provisioning (issue 14 item 1) on every engine the tests have, with the real
 * stores and audit trail and the provisioning service replaced by a double (API-M is not what
 * is under test here; the stack test in approvals.stack.test.ts runs the flow end to end).
 * Proves: the secret is in no table at any step; a request is verified before it is filed; a
 * requester cannot approve; an expired or rejected request cannot be completed; every step is an
 * audit row of its own action.
 */
import { missingRequiredEngines } from '../../__testUtils__/databases';
import {
  APPROVER,
  DAY,
  OWNER,
  approver,
  owner,
  describeApprovalService,
} from '../../__testUtils__/approvalService';

const SECRET = 'marker-secret-approval-4d2a';

const databases = describeApprovalService(
  'approvals on %p',
  {
    clientPrefix: 'client',
    secret: SECRET,
    approval: {
      expiresAfterMs: 7 * DAY,
      notify: ['group:default/platform-team'],
    },
  },
  suite => {
    const { provisioning, notices } = suite;

    /** Every value of every table of the plugin, as text. */
    async function everything(): Promise<string> {
      const tables = [
        'apim_credentials_audit',
        'apim_credentials_mappings',
        'apim_credentials_approval_requests',
      ];
      const rows = await Promise.all(tables.map(t => suite.knex(t).select()));
      return JSON.stringify(rows);
    }

    it('elsewhere, provisioning is not held up', async () => {
      const result = await suite.approvals.provision(
        { ...suite.input, environment: 'sandbox' },
        owner,
      );
      expect(result).toMatchObject({ status: 'created' });
      expect(provisioning.verify).not.toHaveBeenCalled();
    });

    it('files a verified request (202), answers it again while pending, never keeps the secret', async () => {
      const first = await suite.approvals.provision(suite.input, owner);
      expect(first).toMatchObject({
        status: 'approval-pending',
        request: {
          state: 'pending',
          requestedBy: OWNER,
          consumerKey: suite.input.consumerKey,
        },
      });
      expect(provisioning.verify).toHaveBeenCalledTimes(1);
      expect(provisioning.provision).not.toHaveBeenCalled();
      expect(notices.requested).toHaveBeenCalledWith(
        expect.objectContaining({ consumerKey: suite.input.consumerKey }),
        ['group:default/platform-team'],
      );
      const again = await suite.approvals.provision(suite.input, owner);
      expect(again).toEqual(first);
      expect(provisioning.verify).toHaveBeenCalledTimes(1);
      expect(await everything()).not.toContain(SECRET);
      expect(await suite.actions()).toEqual([
        `request-approval:succeeded:${OWNER}`,
      ]);
    });

    it('refuses to file a request for credentials the key manager refuses', async () => {
      provisioning.verify.mockResolvedValue({
        ok: false,
        code: 'VERIFICATION_FAILED',
        message: 'invalid_client',
      });
      await expect(
        suite.approvals.provision(suite.input, owner),
      ).rejects.toMatchObject({
        code: 'VERIFICATION_FAILED',
      });
      expect(
        await suite.stores.approvals.list({ entityRef: suite.input.entityRef }),
      ).not.toContainEqual(
        expect.objectContaining({ consumerKey: suite.input.consumerKey }),
      );
    });

    it('the requester cannot approve; another approver can, and the owner then completes it once', async () => {
      const id = await suite.fileRequest();
      await expect(
        suite.approvals.decide(id, 'approve', undefined, owner, true),
      ).rejects.toMatchObject({ code: 'SELF_APPROVAL' });
      expect((await suite.stores.approvals.get(id))!.state).toBe('pending');

      const decided = await suite.approvals.decide(
        id,
        'approve',
        'fine',
        approver,
        true,
      );
      expect(decided).toMatchObject({
        state: 'approved',
        decidedBy: APPROVER,
        comment: 'fine',
      });
      expect(notices.decided).toHaveBeenCalledTimes(1);
      await expect(
        suite.approvals.decide(id, 'reject', undefined, approver, true),
      ).rejects.toMatchObject({ code: 'APPROVAL_REQUEST_NOT_PENDING' });

      const mapped = await suite.approvals.provision(suite.input, owner);
      expect(mapped).toMatchObject({ status: 'created' });
      expect(provisioning.provision).toHaveBeenCalledTimes(1);
      expect((await suite.stores.approvals.get(id))!.state).toBe('used');
      // Used once: providing again files a new request instead of mapping without approval.
      expect(await suite.approvals.provision(suite.input, owner)).toMatchObject(
        {
          status: 'approval-pending',
        },
      );
      expect(provisioning.provision).toHaveBeenCalledTimes(1);
      expect(await suite.actions()).toEqual([
        `request-approval:succeeded:${OWNER}`,
        `approve:denied:${OWNER}`,
        `approve:succeeded:${APPROVER}`,
        `complete-request:succeeded:${OWNER}`,
        `request-approval:succeeded:${OWNER}`,
      ]);
      expect(await everything()).not.toContain(SECRET);
    });

    it('a rejected request cannot be completed', async () => {
      const id = await suite.fileRequest();
      await suite.approvals.decide(
        id,
        'reject',
        'not this client',
        approver,
        true,
      );
      const next = (await suite.approvals.provision(suite.input, owner)) as any;
      expect(next.status).toBe('approval-pending');
      expect(next.request.id).not.toBe(id);
      expect(provisioning.provision).not.toHaveBeenCalled();
    });

    it('an expired request cannot be decided nor completed, and expiring is audited once', async () => {
      const now = Date.now();
      const id = await suite.fileRequest(new Date(now));
      await suite.approvals.decide(
        id,
        'approve',
        undefined,
        approver,
        true,
        new Date(now),
      );
      const later = new Date(now + 8 * DAY);
      expect((await suite.stores.approvals.get(id, later))!.state).toBe(
        'expired',
      );
      expect(
        await suite.approvals.provision(suite.input, owner, later),
      ).toMatchObject({
        status: 'approval-pending',
      });
      expect(provisioning.provision).not.toHaveBeenCalled();
      await expect(
        suite.approvals.decide(id, 'approve', undefined, approver, true, later),
      ).rejects.toMatchObject({ code: 'APPROVAL_REQUEST_NOT_PENDING' });

      expect(
        await suite.approvals.expireDue(new Date(later.getTime() + 8 * DAY)),
      ).toBeGreaterThanOrEqual(2);
      expect(
        await suite.approvals.expireDue(new Date(later.getTime() + 8 * DAY)),
      ).toBe(0);
      expect(notices.expired).toHaveBeenCalledWith(
        expect.objectContaining({ id: id, state: 'expired' }),
      );
      // The plugin's scheduled job expired it, not the requester.
      expect(await suite.actions()).toContain(
        'expire-request:succeeded:plugin:apim-credentials',
      );
      expect(
        await suite
          .knex('apim_credentials_audit')
          .where({
            consumer_key: suite.input.consumerKey,
            action: 'expire-request',
          })
          .distinct('source', 'via'),
      ).toEqual([{ source: 'job', via: 'reconcile-job' }]);
    });

    it('a dry run files nothing and says approval is needed', async () => {
      const plan = await suite.approvals.provision(
        { ...suite.input, dryRun: true },
        owner,
      );
      expect(plan).toMatchObject({
        warning: expect.stringMatching(/requires approval/),
      });
      expect(provisioning.verify).not.toHaveBeenCalled();
      expect(
        await suite.stores.approvals.list({ entityRef: suite.input.entityRef }),
      ).not.toContainEqual(
        expect.objectContaining({ consumerKey: suite.input.consumerKey }),
      );
    });
  },
);

it('runs the PostgreSQL cases when CI asks for them', () => {
  expect(missingRequiredEngines(databases)).toEqual([]);
});
