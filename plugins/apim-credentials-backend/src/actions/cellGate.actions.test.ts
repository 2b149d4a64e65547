/**
 * The cell actions pass the REST API's gate (cellGate.ts), so an agent meets the same checks and
 * leaves the same audit rows as a person calling the REST API; tested here without API-M, with
 * Backstage's mock actions registry. The stack-backed actions.test.ts covers the real services.
 */
import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ApimError } from '../apim/ApimError';
import type { ApprovalStore } from '../database/ApprovalStore';
import { createApimCredentialsStores } from '../database/stores';
import { AuditTrail } from '../service/AuditTrail';
import { ApplicationNotBoundError } from '../service/bindingErrors';
import { createCheckedAccess } from '../services';
import { component } from '../__testUtils__/harness';
import { registerApimCredentialsActions } from './index';

const OWNER = 'user:default/olivia';
const ENTITY = 'component:default/orders-service';
const ENV = { id: 'dev', instance: 'local', keyType: 'SANDBOX' };

function setup(allowed: boolean, stores?: { approvals: ApprovalStore }) {
  const service = {
    environment: jest.fn(() => ENV),
    assertKeyManagerName: jest.fn(
      async (): Promise<{ error?: unknown }> => ({}),
    ),
    unprovision: jest.fn(async () => ({ status: 'removed', auditId: 'a' })),
    plan: jest.fn(async () => ({
      status: 'created',
      applicationName: 'orders-app',
      applicationId: '',
      keyType: 'SANDBOX',
      keyManager: 'IS',
    })),
    config: { verification: { required: false } },
  };
  const store = { recordAudit: jest.fn(async (..._args: unknown[]) => 'row') };
  const trail = new AuditTrail({
    stores: { audit: store, transaction: jest.fn() } as any,
    logger: mockServices.logger.mock(),
  });
  const bindings = {
    check: jest.fn(async () => ({})),
    auditDenial: jest.fn(async () => undefined),
    readAhead: jest.fn(async () => undefined),
  };
  const limits = { countAttempt: jest.fn(async () => undefined) };
  const event = {
    success: jest.fn(async () => undefined),
    fail: jest.fn(async () => undefined),
  };
  const auditor = mockServices.auditor.mock({
    createEvent: jest.fn(async () => event) as any,
  });
  const auth = mockServices.auth();
  // Built as the plugin builds it (services.ts), over these stand-ins.
  const { access, gate } = createCheckedAccess({
    auth,
    permissions: mockServices.permissions({
      result: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
    }),
    catalog: catalogServiceMock({
      entities: [component('orders-service', 'orders-app')],
    }),
    service,
    trail,
    bindings,
    limits,
    auditor,
  } as any);
  const registry = actionsRegistryServiceMock();
  const deps = {
    auth,
    access,
    gate,
    service,
    stores,
    bindings,
    auditor,
    logger: mockServices.logger.mock(),
  };
  registerApimCredentialsActions(registry, deps as any);
  return { registry, service, store, bindings, limits, event };
}

const input = {
  entityRef: ENTITY,
  environment: 'dev',
  keyManager: 'IS',
  consumerKey: 'client-1',
};

describe.each(['unprovision', 'plan-provision'])('action %s', name => {
  const invoke = (registry: ReturnType<typeof setup>['registry']) =>
    registry.invoke({
      id: `test:${name}`,
      input,
      credentials: mockCredentials.user(OWNER, {
        actor: { subject: 'plugin:mcp-actions' },
      }),
    });

  it('an API-M fault behind the key manager check is a failed row and a 5xx code', async () => {
    const { registry, service, store } = setup(true);
    service.assertKeyManagerName.mockResolvedValue({
      error: new ApimError('timeout', 'GET /key-managers', 'timed out'),
    });
    await expect(invoke(registry)).rejects.toMatchObject({
      code: 'APIM_TIMEOUT',
    });
    expect(store.recordAudit).toHaveBeenCalledWith(
      expect.objectContaining({ source: 'action', via: 'plugin:mcp-actions' }),
      expect.objectContaining({ outcome: 'failed', errorCode: 'APIM_TIMEOUT' }),
    );
    expect(service.unprovision).not.toHaveBeenCalled();
    expect(service.plan).not.toHaveBeenCalled();
  });

  it('an API-M fault behind the binding check is a failed row', async () => {
    const { registry, bindings, store } = setup(true);
    bindings.check.mockRejectedValue(
      new ApimError('unreachable', 'GET /applications', 'refused'),
    );
    await expect(invoke(registry)).rejects.toMatchObject({
      code: 'APIM_UNREACHABLE',
    });
    expect(store.recordAudit).toHaveBeenCalledWith(
      expect.anything(),
      expect.objectContaining({ outcome: 'failed' }),
    );
  });

  it('a binding denial is audited by the bindings and refused', async () => {
    const { registry, bindings, service } = setup(true);
    bindings.check.mockRejectedValue(
      new ApplicationNotBoundError('orders-app', 'local', ENTITY),
    );
    await expect(invoke(registry)).rejects.toMatchObject({
      code: 'APPLICATION_NOT_BOUND',
    });
    expect(bindings.auditDenial).toHaveBeenCalledTimes(1);
    expect(service.unprovision).not.toHaveBeenCalled();
  });

  it('without the permission: a denied row, no API-M fault revealed, nothing counted', async () => {
    const { registry, service, store, limits } = setup(false);
    service.assertKeyManagerName.mockResolvedValue({
      error: new ApimError('timeout', 'GET /key-managers', 'timed out'),
    });
    await expect(invoke(registry)).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
    });
    expect(store.recordAudit).toHaveBeenCalledWith(
      expect.objectContaining({ dryRun: name === 'plan-provision' }),
      expect.objectContaining({ outcome: 'denied' }),
    );
    expect(limits.countAttempt).not.toHaveBeenCalled();
  });
});

describe('plan-provision in an environment that requires approval', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let approvals: ApprovalStore;

  beforeAll(async () => {
    const knex = await databases.init('SQLITE_3');
    ({ approvals } = await createApimCredentialsStores({
      database: { getClient: async () => knex },
    }));
  });

  it('says so, and names the open request for the cell and client', async () => {
    const { registry, service } = setup(true, { approvals });
    service.environment.mockReturnValue({
      ...ENV,
      approval: { required: true, expiresAfterMs: 3600_000, notify: [] },
    } as any);
    const plan = () =>
      registry.invoke({
        id: 'test:plan-provision',
        input,
        credentials: mockCredentials.user(OWNER),
      });
    const request = {
      entityRef: ENTITY,
      environment: 'dev',
      instance: 'local',
      keyType: 'SANDBOX' as const,
      keyManager: 'IS',
      consumerKey: 'client-1',
      requestedBy: OWNER,
      expiresAt: new Date(Date.now() + 3600_000),
    };
    // One for an application the entity no longer names is not this client's request.
    await approvals.file({ ...request, applicationName: 'old-app' });
    const before = (await plan()).output as any;
    expect(before).toMatchObject({ approvalRequired: true });
    expect(before.approvalRequest).toBeUndefined();

    const filed = await approvals.file({
      ...request,
      applicationName: 'orders-app',
    });
    expect((await plan()).output).toMatchObject({
      approvalRequired: true,
      approvalRequest: { id: filed.id, state: 'pending' },
    });
  });

  it('an environment without approval says it is not required', async () => {
    const { registry } = setup(true, { approvals });
    const { output } = await registry.invoke({
      id: 'test:plan-provision',
      input: { ...input, consumerKey: 'client-2' },
      credentials: mockCredentials.user(OWNER),
    });
    expect(output).toMatchObject({ approvalRequired: false });
    expect((output as any).approvalRequest).toBeUndefined();
  });
});
