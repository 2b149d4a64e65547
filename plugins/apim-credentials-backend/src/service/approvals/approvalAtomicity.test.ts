/**
 * Each step of an approval request and its audit row are one database transaction (issue 14,
 * "Governance"): when the audit row cannot be written, the request is not filed, decided, used
 * or expired either, on every engine the tests have. The audit write fails here as a crash
 * between the two statements would leave it: after the request's own write, inside the
 * transaction. The provisioning service is a double (API-M is not what is under test).
 */
import { AuditStore } from '../../database/AuditStore';
import {
  DAY,
  approver,
  owner,
  describeApprovalService,
} from '../../__testUtils__/approvalService';

describeApprovalService(
  'approval steps with their audit rows on %p',
  {
    clientPrefix: 'atomic',
    secret: 'marker-secret-atomic',
    withNotices: false,
  },
  suite => {
    const { provisioning } = suite;

    afterEach(() => jest.restoreAllMocks());

    /** The next audit row written, in or out of a transaction, fails. */
    const auditWriteFails = () =>
      jest
        .spyOn(AuditStore.prototype, 'recordAudit')
        .mockRejectedValueOnce(new Error('connection lost'));

    const requestRows = () =>
      suite
        .knex('apim_credentials_approval_requests')
        .where({ consumer_key: suite.input.consumerKey })
        .select('state');
    const auditRows = async () =>
      (
        await suite
          .knex('apim_credentials_audit')
          .where({ consumer_key: suite.input.consumerKey })
          .orderBy('seq')
          .select('action')
      ).map(r => r.action);

    it('no request is filed without its request-approval row', async () => {
      auditWriteFails();
      await expect(
        suite.approvals.provision(suite.input, owner),
      ).rejects.toThrow('connection lost');
      expect(await requestRows()).toEqual([]);
      expect(await auditRows()).toEqual([]);
    });

    it('no request is decided without its approve row', async () => {
      const id = await suite.fileRequest();
      auditWriteFails();
      await expect(
        suite.approvals.decide(id, 'approve', undefined, approver, true),
      ).rejects.toThrow('connection lost');
      expect(await requestRows()).toEqual([{ state: 'pending' }]);
      expect(await auditRows()).toEqual(['request-approval']);
      // Nothing half-done is left behind: the decision can be made again.
      await suite.approvals.decide(id, 'reject', 'no', approver, true);
      expect(await requestRows()).toEqual([{ state: 'rejected' }]);
    });

    it('no request is used without its complete-request row', async () => {
      const id = await suite.fileRequest();
      await suite.approvals.decide(id, 'approve', undefined, approver, true);
      auditWriteFails();
      await expect(
        suite.approvals.provision(suite.input, owner),
      ).rejects.toThrow('connection lost');
      expect(await requestRows()).toEqual([{ state: 'approved' }]);
      expect(await auditRows()).toEqual(['request-approval', 'approve']);
    });

    it('of two completions at once, exactly one maps and completes', async () => {
      const id = await suite.fileRequest();
      await suite.approvals.decide(id, 'approve', undefined, approver, true);
      provisioning.provision.mockClear();
      // Mapping takes a while: the second completion starts while the first is at API-M.
      const slowly = async (i: { consumerKey: string }) => {
        await new Promise(resolve => setTimeout(resolve, 100));
        return { status: 'created', consumerKey: i.consumerKey };
      };
      provisioning.provision.mockImplementationOnce(slowly);
      const results = await Promise.allSettled([
        suite.approvals.provision(suite.input, owner),
        suite.approvals.provision(suite.input, owner),
      ]);
      expect(provisioning.provision).toHaveBeenCalledTimes(1);
      expect(results).toContainEqual({
        status: 'fulfilled',
        value: expect.objectContaining({ status: 'created' }),
      });
      // The other one is refused, or (had it looked after the claim) files a new request.
      expect(
        (await auditRows()).filter(a => a === 'complete-request'),
      ).toHaveLength(1);
      expect((await suite.stores.approvals.get(id))!.state).toBe('used');
    });

    it('a failed mapping gives the approval back for a retry', async () => {
      const id = await suite.fileRequest();
      await suite.approvals.decide(id, 'approve', undefined, approver, true);
      provisioning.provision.mockRejectedValueOnce(new Error('API-M down'));
      await expect(
        suite.approvals.provision(suite.input, owner),
      ).rejects.toThrow('API-M down');
      expect(await requestRows()).toEqual([{ state: 'approved' }]);
      expect(await suite.approvals.provision(suite.input, owner)).toMatchObject(
        {
          status: 'created',
        },
      );
      expect(await requestRows()).toEqual([{ state: 'used' }]);
      expect(await auditRows()).toEqual([
        'request-approval',
        'approve',
        'complete-request',
      ]);
    });

    it('no request expires without its expire-request row', async () => {
      const start = new Date(Date.now() - 30 * DAY);
      await suite.fileRequest(start);
      const later = new Date(start.getTime() + 2 * DAY);
      auditWriteFails();
      await expect(suite.approvals.expireDue(later)).rejects.toThrow(
        'connection lost',
      );
      expect(await requestRows()).toEqual([{ state: 'pending' }]);
      expect(await auditRows()).toEqual(['request-approval']);
      // The next run expires it, once.
      expect(await suite.approvals.expireDue(later)).toBeGreaterThanOrEqual(1);
      expect(await requestRows()).toEqual([{ state: 'expired' }]);
      expect(await auditRows()).toEqual(['request-approval', 'expire-request']);
    });
  },
);
