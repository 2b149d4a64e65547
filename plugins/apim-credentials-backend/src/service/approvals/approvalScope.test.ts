/**
 * Which approval request a step may use, and who may decide one (issue 14 item 1), on every
 * engine the tests have, with the real stores and audit trail and the provisioning service
 * replaced by a double (API-M is not what is under test): an approval holds for the application
 * it was given for only; a client the cell maps already needs none; a caller without
 * `apim.credentials.approve` is refused with a full `denied` row.
 */
import { Knex } from 'knex';
import { createTestDatabases } from '../../__testUtils__/databases';
import type { ApimCredentialsStores } from '../../database/stores';
import {
  ApprovalSuite,
  APPROVER,
  OWNER,
  approver,
  owner,
  useApprovalService,
} from '../../__testUtils__/approvalService';
import type { ApprovalService } from './ApprovalService';

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())(
  'approval scope on %p',
  databaseId => {
    const provisioning = {
      environment: (id: string) => ({
        id,
        title: 'Production',
        instance: 'local',
        keyType: 'PRODUCTION',
        approval: { required: true, expiresAfterMs: 3600_000, notify: [] },
      }),
      verify: jest.fn(async () => ({ ok: true, message: 'ok' })),
      provision: jest.fn(async (): Promise<object> => ({ status: 'created' })),
    };
    const notices = {
      requested: jest.fn(async () => undefined),
      decided: jest.fn(async () => undefined),
      expired: jest.fn(async () => undefined),
    };
    const suite = useApprovalService({
      databases,
      databaseId,
      provisioning,
      notices,
      clientPrefix: 'scope',
      secret: 'marker-secret-scope',
    });
    let knex: Knex;
    let stores: ApimCredentialsStores;
    let approvals: ApprovalService;
    let input: ApprovalSuite['input'];
    beforeAll(() => {
      ({ knex, stores, approvals } = suite);
    });
    beforeEach(() => {
      jest.clearAllMocks();
      ({ input } = suite);
    });

    /** The audit rows of this test's client, in the order they were written. */
    const actions = async () =>
      (
        await knex('apim_credentials_audit')
          .where({ consumer_key: input.consumerKey })
          .orderBy('seq')
          .select('action', 'outcome', 'actor')
      ).map(r => `${r.action}:${r.outcome}:${r.actor}`);

    it('an approval holds for its application only, not one the annotation names later', async () => {
      const filed = (await approvals.provision(input, owner)) as any;
      await approvals.decide(filed.request.id, 'approve', '', approver, true);
      const renamed = { ...input, applicationName: 'someone-elses-app' };
      const next = (await approvals.provision(renamed, owner)) as any;
      expect(next).toMatchObject({
        status: 'approval-pending',
        request: { applicationName: 'someone-elses-app' },
      });
      expect(next.request.id).not.toBe(filed.request.id);
      expect(provisioning.provision).not.toHaveBeenCalled();
      expect((await stores.approvals.get(filed.request.id))!.state).toBe(
        'approved',
      );
    });

    it('a client the cell maps already is handed to provisioning, no request filed', async () => {
      await stores.mappings.upsertMapping({
        entityRef: input.entityRef,
        environment: 'production',
        keyManager: input.keyManager,
        instance: 'local',
        keyType: 'PRODUCTION',
        applicationId: 'app-1',
        applicationName: input.applicationName,
        consumerKey: input.consumerKey,
        keyMappingId: 'km-1',
        grantTypes: ['client_credentials'],
        provisionedBy: OWNER,
        provisionedAt: new Date(),
      });
      provisioning.provision.mockResolvedValueOnce({ status: 'unchanged' });
      expect(await approvals.provision(input, owner)).toEqual({
        status: 'unchanged',
      });
      expect(provisioning.provision).toHaveBeenCalledWith(input, owner);
      expect(provisioning.verify).not.toHaveBeenCalled();
      expect(notices.requested).not.toHaveBeenCalled();
      expect(await actions()).toEqual([]);
    });

    it('a caller without apim.credentials.approve is refused, with a full denied row', async () => {
      const filed = (await approvals.provision(input, owner)) as any;
      const viaTask = { ...approver, taskId: 'task-7', requestId: 'req-7' };
      await expect(
        approvals.decide(filed.request.id, 'approve', '', viaTask, false),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
      expect((await stores.approvals.get(filed.request.id))!.state).toBe(
        'pending',
      );
      expect(notices.decided).not.toHaveBeenCalled();
      expect(
        await knex('apim_credentials_audit')
          .where({ consumer_key: input.consumerKey, outcome: 'denied' })
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
