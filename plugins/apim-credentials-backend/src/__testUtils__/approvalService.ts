/**
 * The approval service of the approval suites (ApprovalService, approvalScope,
 * approvalAtomicity): real stores and audit trail on one engine, the provisioning service and
 * the notices replaced by the suite's doubles (API-M is not what those suites test), and a fresh
 * client per test.
 */
import type { Knex } from 'knex';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
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

/** What a suite reads after its hooks ran: set in beforeAll (knex, stores, approvals) and beforeEach (input). */
export interface ApprovalSuite {
  knex: Knex;
  stores: ApimCredentialsStores;
  approvals: ApprovalService;
  /** This test's request: a new consumer key (`<clientPrefix>-<n>`) with `secret`. */
  input: Parameters<ApprovalService['provision']>[0];
}

/**
 * Registers the hooks that build the suite on `databaseId`; call it inside the suite's
 * `describe`. The returned object is filled when the hooks have run.
 */
export function useApprovalService(options: {
  databases: TestDatabases;
  databaseId: string;
  provisioning: object;
  notices?: object;
  clientPrefix: string;
  secret: string;
}): ApprovalSuite {
  const suite = {} as ApprovalSuite;
  let n = 0;
  beforeAll(async () => {
    suite.knex = await options.databases.init(options.databaseId as never);
    suite.stores = await createApimCredentialsStores({
      database: { getClient: async () => suite.knex },
    });
    suite.approvals = new ApprovalService({
      provisioning: options.provisioning as any,
      approvals: suite.stores.approvals,
      mappings: suite.stores.mappings,
      trail: new AuditTrail({
        stores: suite.stores,
        logger: mockServices.logger.mock(),
      }),
      ...(options.notices ? { notices: options.notices as any } : {}),
    });
  });
  beforeEach(() => {
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
