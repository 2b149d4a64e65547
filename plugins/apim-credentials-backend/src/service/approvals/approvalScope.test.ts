/**
 * Which approval request a step may use, and who may decide one (issue 14 item 1), on every
 * engine the tests have, with the real stores and audit trail and the provisioning service
 * replaced by a double (API-M is not what is under test): an approval holds for the application
 * it was given for only; a client the cell maps already needs none; a caller without
 * `apim.credentials.approve` is refused with a full `denied` row.
 */
import {
  APPROVER,
  OWNER,
  approver,
  owner,
  describeApprovalService,
} from '../../__testUtils__/approvalService';

describeApprovalService(
  'approval scope on %p',
  {
    clientPrefix: 'scope',
    secret: 'marker-secret-scope',
    approval: { expiresAfterMs: 3600_000 },
  },
  suite => {
    const { provisioning, notices } = suite;

    it('an approval holds for its application only, not one the annotation names later', async () => {
      const id = await suite.fileRequest();
      await suite.approvals.decide(id, 'approve', '', approver, true);
      const renamed = { ...suite.input, applicationName: 'someone-elses-app' };
      const next = (await suite.approvals.provision(renamed, owner)) as any;
      expect(next).toMatchObject({
        status: 'approval-pending',
        request: { applicationName: 'someone-elses-app' },
      });
      expect(next.request.id).not.toBe(id);
      expect(provisioning.provision).not.toHaveBeenCalled();
      expect((await suite.stores.approvals.get(id))!.state).toBe('approved');
    });

    it('a client the cell maps already is handed to provisioning, no request filed', async () => {
      await suite.stores.mappings.upsertMapping({
        entityRef: suite.input.entityRef,
        environment: 'production',
        keyManager: suite.input.keyManager,
        instance: 'local',
        keyType: 'PRODUCTION',
        applicationId: 'app-1',
        applicationName: suite.input.applicationName,
        consumerKey: suite.input.consumerKey,
        keyMappingId: 'km-1',
        grantTypes: ['client_credentials'],
        provisionedBy: OWNER,
        provisionedAt: new Date(),
      });
      provisioning.provision.mockResolvedValueOnce({ status: 'unchanged' });
      expect(await suite.approvals.provision(suite.input, owner)).toEqual({
        status: 'unchanged',
      });
      expect(provisioning.provision).toHaveBeenCalledWith(suite.input, owner);
      expect(provisioning.verify).not.toHaveBeenCalled();
      expect(notices.requested).not.toHaveBeenCalled();
      expect(await suite.actions()).toEqual([]);
    });

    it('a caller without apim.credentials.approve is refused, with a full denied row', async () => {
      const id = await suite.fileRequest();
      const viaTask = { ...approver, taskId: 'task-7', requestId: 'req-7' };
      await expect(
        suite.approvals.decide(id, 'approve', '', viaTask, false),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
      expect((await suite.stores.approvals.get(id))!.state).toBe('pending');
      expect(notices.decided).not.toHaveBeenCalled();
      expect(
        await suite
          .knex('apim_credentials_audit')
          .where({ consumer_key: suite.input.consumerKey, outcome: 'denied' })
          .select('action', 'actor', 'task_id', 'request_id', 'error_code'),
      ).toEqual([
        {
          action: 'approve',
          actor: APPROVER,
          task_id: 'task-7',
          request_id: 'req-7',
          error_code: 'PERMISSION_DENIED',
        },
      ]);
    });
  },
);
