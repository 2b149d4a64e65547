/**
 * Approval before provisioning (issue 14 item 1) on every engine the tests have, with the real
 * stores and audit trail and the provisioning service replaced by a double (API-M is not what
 * is under test here; the stack test in approvals.stack.test.ts runs the flow end to end).
 * Proves: the secret is in no table at any step; a request is verified before it is filed; a
 * requester cannot approve; an expired or rejected request cannot be completed; every step is an
 * audit row of its own action.
 */
import { Knex } from 'knex';
import {
  createTestDatabases,
  missingRequiredEngines,
} from '../../__testUtils__/databases';
import type { ApimCredentialsStores } from '../../database/stores';
import {
  ApprovalSuite,
  APPROVER,
  DAY,
  OWNER,
  approver,
  owner,
  useApprovalService,
} from '../../__testUtils__/approvalService';
import type { ApprovalService } from './ApprovalService';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const SECRET = 'marker-secret-approval-4d2a';

it('runs the PostgreSQL cases when CI asks for them', () => {
  expect(missingRequiredEngines(databases)).toEqual([]);
});

describe.each(databases.eachSupportedId())('approvals on %p', databaseId => {
  const provisioning = {
    environment: jest.fn(),
    provision: jest.fn(),
    verify: jest.fn(),
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
    clientPrefix: 'client',
    secret: SECRET,
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
    provisioning.environment.mockImplementation((id: string) => ({
      id,
      title: 'Production',
      instance: 'local',
      keyType: 'PRODUCTION',
      approval:
        id === 'production'
          ? {
              required: true,
              expiresAfterMs: 7 * DAY,
              notify: ['group:default/platform-team'],
            }
          : undefined,
    }));
    provisioning.verify.mockResolvedValue({ ok: true, message: 'ok' });
    provisioning.provision.mockImplementation(async (i: any) => ({
      status: 'created',
      consumerKey: i.consumerKey,
      auditId: 'mapped',
    }));
  });

  /** Every value of every table of the plugin, as text. */
  async function everything(): Promise<string> {
    const tables = [
      'apim_credentials_audit',
      'apim_credentials_mappings',
      'apim_credentials_approval_requests',
    ];
    const rows = await Promise.all(tables.map(t => knex(t).select()));
    return JSON.stringify(rows);
  }

  /** The audit rows of this test's client, in the order they were written. */
  const actions = async () =>
    (
      await knex('apim_credentials_audit')
        .where({ consumer_key: input.consumerKey })
        .orderBy('seq')
        .select('action', 'outcome', 'actor')
    ).map(r => `${r.action}:${r.outcome}:${r.actor}`);

  it('elsewhere, provisioning is not held up', async () => {
    const result = await approvals.provision(
      { ...input, environment: 'sandbox' },
      owner,
    );
    expect(result).toMatchObject({ status: 'created' });
    expect(provisioning.verify).not.toHaveBeenCalled();
  });

  it('files a verified request (202), answers it again while pending, never keeps the secret', async () => {
    const first = await approvals.provision(input, owner);
    expect(first).toMatchObject({
      status: 'approval-pending',
      request: {
        state: 'pending',
        requestedBy: OWNER,
        consumerKey: input.consumerKey,
      },
    });
    expect(provisioning.verify).toHaveBeenCalledTimes(1);
    expect(provisioning.provision).not.toHaveBeenCalled();
    expect(notices.requested).toHaveBeenCalledWith(
      expect.objectContaining({ consumerKey: input.consumerKey }),
      ['group:default/platform-team'],
    );
    const again = await approvals.provision(input, owner);
    expect(again).toEqual(first);
    expect(provisioning.verify).toHaveBeenCalledTimes(1);
    expect(await everything()).not.toContain(SECRET);
    expect(await actions()).toEqual([`request-approval:succeeded:${OWNER}`]);
  });

  it('refuses to file a request for credentials the key manager refuses', async () => {
    provisioning.verify.mockResolvedValue({
      ok: false,
      code: 'VERIFICATION_FAILED',
      message: 'invalid_client',
    });
    await expect(approvals.provision(input, owner)).rejects.toMatchObject({
      code: 'VERIFICATION_FAILED',
    });
    expect(
      await stores.approvals.list({ entityRef: input.entityRef }),
    ).not.toContainEqual(
      expect.objectContaining({ consumerKey: input.consumerKey }),
    );
  });

  it('the requester cannot approve; another approver can, and the owner then completes it once', async () => {
    const filed = (await approvals.provision(input, owner)) as any;
    await expect(
      approvals.decide(filed.request.id, 'approve', undefined, owner, true),
    ).rejects.toMatchObject({ code: 'SELF_APPROVAL' });
    expect((await stores.approvals.get(filed.request.id))!.state).toBe(
      'pending',
    );

    const decided = await approvals.decide(
      filed.request.id,
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
      approvals.decide(filed.request.id, 'reject', undefined, approver, true),
    ).rejects.toMatchObject({ code: 'APPROVAL_REQUEST_NOT_PENDING' });

    const mapped = await approvals.provision(input, owner);
    expect(mapped).toMatchObject({ status: 'created' });
    expect(provisioning.provision).toHaveBeenCalledTimes(1);
    expect((await stores.approvals.get(filed.request.id))!.state).toBe('used');
    // Used once: providing again files a new request instead of mapping without approval.
    expect(await approvals.provision(input, owner)).toMatchObject({
      status: 'approval-pending',
    });
    expect(provisioning.provision).toHaveBeenCalledTimes(1);
    expect(await actions()).toEqual([
      `request-approval:succeeded:${OWNER}`,
      `approve:denied:${OWNER}`,
      `approve:succeeded:${APPROVER}`,
      `complete-request:succeeded:${OWNER}`,
      `request-approval:succeeded:${OWNER}`,
    ]);
    expect(await everything()).not.toContain(SECRET);
  });

  it('a rejected request cannot be completed', async () => {
    const filed = (await approvals.provision(input, owner)) as any;
    await approvals.decide(
      filed.request.id,
      'reject',
      'not this client',
      approver,
      true,
    );
    const next = (await approvals.provision(input, owner)) as any;
    expect(next.status).toBe('approval-pending');
    expect(next.request.id).not.toBe(filed.request.id);
    expect(provisioning.provision).not.toHaveBeenCalled();
  });

  it('an expired request cannot be decided nor completed, and expiring is audited once', async () => {
    const now = Date.now();
    const filed = (await approvals.provision(
      input,
      owner,
      new Date(now),
    )) as any;
    await approvals.decide(
      filed.request.id,
      'approve',
      undefined,
      approver,
      true,
      new Date(now),
    );
    const later = new Date(now + 8 * DAY);
    expect((await stores.approvals.get(filed.request.id, later))!.state).toBe(
      'expired',
    );
    expect(await approvals.provision(input, owner, later)).toMatchObject({
      status: 'approval-pending',
    });
    expect(provisioning.provision).not.toHaveBeenCalled();
    await expect(
      approvals.decide(
        filed.request.id,
        'approve',
        undefined,
        approver,
        true,
        later,
      ),
    ).rejects.toMatchObject({ code: 'APPROVAL_REQUEST_NOT_PENDING' });

    expect(
      await approvals.expireDue(new Date(later.getTime() + 8 * DAY)),
    ).toBeGreaterThanOrEqual(2);
    expect(await approvals.expireDue(new Date(later.getTime() + 8 * DAY))).toBe(
      0,
    );
    expect(notices.expired).toHaveBeenCalledWith(
      expect.objectContaining({ id: filed.request.id, state: 'expired' }),
    );
    // The plugin's scheduled job expired it, not the requester.
    expect(await actions()).toContain(
      'expire-request:succeeded:plugin:apim-credentials',
    );
    expect(
      await knex('apim_credentials_audit')
        .where({ consumer_key: input.consumerKey, action: 'expire-request' })
        .distinct('source', 'via'),
    ).toEqual([{ source: 'job', via: 'reconcile-job' }]);
  });

  it('a dry run files nothing and says approval is needed', async () => {
    const plan = await approvals.provision({ ...input, dryRun: true }, owner);
    expect(plan).toMatchObject({
      warning: expect.stringMatching(/requires approval/),
    });
    expect(provisioning.verify).not.toHaveBeenCalled();
    expect(
      await stores.approvals.list({ entityRef: input.entityRef }),
    ).not.toContainEqual(
      expect.objectContaining({ consumerKey: input.consumerKey }),
    );
  });
});
