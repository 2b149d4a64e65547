/**
 * The approval service of the approval suites (ApprovalService, approvalScope,
 * approvalAtomicity): real stores and audit trail on one engine, the provisioning service and
 * the notices replaced by doubles (API-M is not what those suites test), and a fresh client per
 * test.
 */
import type { Knex } from 'knex';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { createTestDatabases } from './databases';
import {
  ApimCredentialsStores,
  createApimCredentialsStores,
} from '../database/stores';
import { AuditTrail } from '../service/AuditTrail';
import { ApprovalService } from '../service/approvals/ApprovalService';

export const OWNER = 'user:default/olivia';
export const APPROVER = 'user:default/pat';
export const DAY = 24 * 3600 * 1000;
export const owner = { userEntityRef: OWNER, source: 'ui' as const };
export const approver = { userEntityRef: APPROVER, source: 'ui' as const };

/** The provisioning service's double: production requires approval, other environments none. */
export interface ProvisioningDouble {
  environment: jest.Mock;
  verify: jest.Mock;
  provision: jest.Mock;
}

/** The notices' double. */
export interface NoticesDouble {
  requested: jest.Mock;
  decided: jest.Mock;
  expired: jest.Mock;
}

/**
 * What a suite reads: the doubles at once (their default behaviour and calls are reset before
 * each test), the rest after its hooks ran: set in beforeAll (knex, stores, approvals) and
 * beforeEach (input).
 */
export interface ApprovalSuite {
  provisioning: ProvisioningDouble;
  notices: NoticesDouble;
  knex: Knex;
  stores: ApimCredentialsStores;
  approvals: ApprovalService;
  /** This test's request: a new consumer key (`<clientPrefix>-<n>`) with `secret`. */
  input: Parameters<ApprovalService['provision']>[0];
  /** The audit rows of this test's client, in the order they were written, as `action:outcome:actor`. */
  actions(): Promise<string[]>;
  /** Files this test's request as the owner (at `at`, now unless told) and answers its id. */
  fileRequest(at?: Date): Promise<string>;
}

/**
 * Registers the hooks that build the suite on `databaseId`; call it inside the suite's
 * `describe`. The returned object is filled when the hooks have run.
 */
export function useApprovalService(options: {
  databases: TestDatabases;
  databaseId: string;
  clientPrefix: string;
  secret: string;
  /** The approval production requires: a day and no one to notify unless told. */
  approval?: { expiresAfterMs?: number; notify?: string[] };
  /** Whether the service is given the notices' double; true unless told. */
  withNotices?: boolean;
}): ApprovalSuite {
  const provisioning: ProvisioningDouble = {
    environment: jest.fn(),
    verify: jest.fn(),
    provision: jest.fn(),
  };
  const notices: NoticesDouble = {
    requested: jest.fn(),
    decided: jest.fn(),
    expired: jest.fn(),
  };
  const suite = { provisioning, notices } as ApprovalSuite;
  suite.fileRequest = async (at?: Date) => {
    const filed = (await suite.approvals.provision(
      suite.input,
      owner,
      at,
    )) as any;
    return filed.request.id;
  };
  suite.actions = async () =>
    (
      await suite
        .knex('apim_credentials_audit')
        .where({ consumer_key: suite.input.consumerKey })
        .orderBy('seq')
        .select('action', 'outcome', 'actor')
    ).map(r => `${r.action}:${r.outcome}:${r.actor}`);
  const withNotices = options.withNotices ?? true;
  let n = 0;
  beforeAll(async () => {
    suite.knex = await options.databases.init(options.databaseId as never);
    suite.stores = await createApimCredentialsStores({
      database: { getClient: async () => suite.knex },
    });
    suite.approvals = new ApprovalService({
      provisioning: provisioning as any,
      approvals: suite.stores.approvals,
      mappings: suite.stores.mappings,
      trail: new AuditTrail({
        stores: suite.stores,
        logger: mockServices.logger.mock(),
      }),
      ...(withNotices ? { notices: notices as any } : {}),
    });
  });
  beforeEach(() => {
    provisioning.environment.mockReset().mockImplementation((id: string) => ({
      id,
      title: 'Production',
      instance: 'local',
      keyType: 'PRODUCTION',
      approval:
        id === 'production'
          ? {
              required: true,
              expiresAfterMs: options.approval?.expiresAfterMs ?? DAY,
              notify: options.approval?.notify ?? [],
            }
          : undefined,
    }));
    provisioning.verify
      .mockReset()
      .mockImplementation(async () => ({ ok: true, message: 'ok' }));
    provisioning.provision
      .mockReset()
      .mockImplementation(async (i: { consumerKey: string }) => ({
        status: 'created',
        consumerKey: i.consumerKey,
        auditId: 'mapped',
      }));
    for (const notice of Object.values(notices)) {
      notice.mockReset().mockImplementation(async () => undefined);
    }
    n += 1;
    suite.input = {
      entityRef: 'component:default/orders-service',
      applicationName: 'orders-service',
      environment: 'production',
      keyManager: 'IS',
      consumerKey: `${options.clientPrefix}-${n}`,
      consumerSecret: options.secret,
    };
  });
  return suite;
}

/**
 * Declares `tests` on every engine the tests have (`title` names the engine with `%p`), each run
 * with the suite useApprovalService builds on that engine. Returns the engines.
 */
export function describeApprovalService(
  title: string,
  options: Omit<
    Parameters<typeof useApprovalService>[0],
    'databases' | 'databaseId'
  >,
  tests: (suite: ApprovalSuite) => void,
): TestDatabases {
  jest.setTimeout(60_000);
  const databases = createTestDatabases();
  // eslint-disable-next-line jest/valid-title -- the caller's title, a string
  describe.each(databases.eachSupportedId())(title, databaseId => {
    tests(useApprovalService({ ...options, databases, databaseId }));
  });
  return databases;
}
