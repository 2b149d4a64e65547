/**
 * The fast layer under the stack tests (issue 9, issue 10 "Done when"): the real router with
 * Backstage's mock services and a mocked catalog, and the plugin's own services replaced by jest
 * mocks. It proves what does not need API-M, in milliseconds: input checks before anything else,
 * the permission matrix, that every denial is an audit row and never reaches the service, the
 * rate limit, the binding, API-M faults met by the gate, and the caller recorded on rows.
 */
import express from 'express';
import request from 'supertest';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { Entity } from '@backstage/catalog-model';
import {
  APIM_CREDENTIALS_SOURCE_HEADER,
  APIM_CREDENTIALS_TASK_ID_HEADER,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { createRouter, RouterOptions } from './router';
import { ApimError } from './apim/ApimError';
import { RateLimitedError, coded } from './errors';
import { AuditTrail } from './service/AuditTrail';
import type { BindingCheck } from './service/ApplicationBindings';
import {
  ApplicationBoundElsewhereError,
  ApplicationNotBoundError,
} from './service/bindingErrors';

const OWNER = 'user:default/olivia';
const STRANGER = 'user:default/sam';
const AUDITOR = 'user:default/pat';
const SECRET = 'marker-secret-6f1e2d';

const entity = (name: string, annotation?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: annotation
      ? { 'wso2.com/apim-application': annotation }
      : undefined,
  },
  spec: { type: 'service', owner: 'team-orders', lifecycle: 'production' },
});

const ENV = {
  id: 'dev',
  instance: 'local',
  keyType: 'SANDBOX',
} as const;

/** Olivia may provision orders-service; Pat may read the audit log and approve; nobody else may do anything. */
function policy(user: string | undefined, permission: string, ref?: string) {
  if (permission === 'apim.audit.read') return user === AUDITOR;
  if (permission === 'apim.credentials.approve') return user === AUDITOR;
  if (permission === 'apim.credentials.read') return user !== undefined;
  return user === OWNER && ref === 'component:default/orders-service';
}

async function setup() {
  const service = {
    environment: jest.fn((id: string) => {
      if (id !== 'dev')
        throw coded(
          new NotFoundError(`Unknown environment "${id}"`),
          'UNKNOWN_ENVIRONMENT',
        );
      return ENV;
    }),
    assertKeyManagerName: jest.fn(
      async (): Promise<{ error?: unknown }> => ({}),
    ),
    provision: jest.fn(async () => ({
      status: 'created',
      keyMappingId: 'km-1',
      auditId: 'a-1',
    })),
    unprovision: jest.fn(async () => ({ status: 'removed', auditId: 'a-2' })),
    verify: jest.fn(async () => ({ ok: true })),
    config: { verification: { required: false } },
  };
  // The audit rows the gate writes, as the real AuditTrail writes them (its deny is a record).
  const store = {
    recordAudit: jest.fn(async (..._args: unknown[]) => 'row'),
    queryAudit: jest.fn(async () => ({ items: [] })),
    streamAudit: jest.fn(),
    queryMappings: jest.fn(async () => ({ items: [] })),
  };
  const trail = new AuditTrail({
    stores: { audit: store, transaction: jest.fn() } as any,
    logger: mockServices.logger.mock(),
  });
  const requests = {
    list: jest.fn(async () => []),
    get: jest.fn(async () => undefined),
  };
  // Approval is ApprovalService's (its own test); here it hands provisioning through.
  const approvals = {
    provision: (input: unknown, caller: unknown) =>
      (service.provision as any)(input, caller),
    decide: jest.fn(async () => ({ state: 'approved' })),
  };
  const bindings = {
    check: jest.fn(async (): Promise<BindingCheck> => ({})),
    auditDenial: jest.fn(async () => undefined),
    readAhead: jest.fn(async () => undefined),
    store: { entitiesMappingConsumerKey: jest.fn(async () => [] as string[]) },
  };
  const limits = { countAttempt: jest.fn(async () => undefined) };
  const reader = { listEnvironments: jest.fn(async () => []) };
  const event = {
    success: jest.fn(async () => undefined),
    fail: jest.fn(async () => undefined),
  };
  const auditor = mockServices.auditor.mock({
    createEvent: jest.fn(async () => event),
  });
  const permissions = mockServices.permissions.mock({
    authorize: jest.fn(async (queries, { credentials }) =>
      queries.map((r: any) => ({
        result: policy(
          (credentials.principal as { userEntityRef?: string }).userEntityRef,
          r.permission.name,
          (r as { resourceRef?: string }).resourceRef,
        )
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      })),
    ) as any,
  });
  const router = await createRouter({
    logger: mockServices.logger.mock(),
    auth: mockServices.auth(),
    httpAuth: mockServices.httpAuth(),
    permissions,
    auditor,
    catalog: catalogServiceMock({
      entities: [
        entity('orders-service', 'orders-app'),
        entity('no-annotation'),
      ],
    }),
    service,
    reader,
    trail,
    stores: { audit: store, mappings: store, approvals: requests },
    approvals,
    store,
    bindings,
    limits,
  } as unknown as RouterOptions);
  // Backstage's own error middleware, as the plugin's httpRouter has it after the router.
  const app = express()
    .use(router)
    .use(
      MiddlewareFactory.create({
        config: mockServices.rootConfig(),
        logger: mockServices.rootLogger(),
      }).error(),
    );
  return {
    app,
    service,
    store,
    bindings,
    limits,
    event,
    auditor,
    approvals,
    requests,
  };
}

const CELL = '/entities/component/default/orders-service/credentials/dev/IS';
const asUser = (ref: string, actor?: string) =>
  `Bearer ${mockCredentials.user.token(
    ref,
    actor ? { actor: { subject: actor } } : undefined,
  )}`;
const body = { consumerKey: 'client-1', consumerSecret: SECRET };

describe('router: input is checked before anything else', () => {
  it.each([
    [
      'unknown environment',
      'put',
      `${CELL.replace('/dev/', '/nope/')}`,
      body,
      404,
      'UNKNOWN_ENVIRONMENT',
    ],
    [
      'bad key manager name',
      'put',
      `${CELL.replace('/IS', '/I%24S')}`,
      body,
      400,
      'INVALID_INPUT',
    ],
    [
      'bad kind',
      'put',
      CELL.replace('component', 'Comp%24'),
      body,
      400,
      'INVALID_INPUT',
    ],
    [
      'unknown entity',
      'put',
      CELL.replace('orders-service', 'ghost'),
      body,
      404,
      'ENTITY_NOT_FOUND',
    ],
    [
      'entity without annotation',
      'put',
      CELL.replace('orders-service', 'no-annotation'),
      body,
      400,
      'MISSING_ANNOTATION',
    ],
    [
      'unknown query key',
      'put',
      `${CELL}?dryrun=true`,
      body,
      400,
      'INVALID_INPUT',
    ],
    [
      'extra body field',
      'put',
      CELL,
      { ...body, secret: SECRET },
      400,
      'INVALID_INPUT',
    ],
    [
      'missing secret',
      'put',
      CELL,
      { consumerKey: 'client-1' },
      400,
      'INVALID_INPUT',
    ],
    [
      'DELETE without the consumer key',
      'delete',
      CELL,
      undefined,
      400,
      'INVALID_INPUT',
    ],
    [
      'verify without entityRef',
      'post',
      '/verify',
      { environment: 'dev', keyManager: 'IS', ...body },
      400,
      'INVALID_INPUT',
    ],
  ] as const)('%s', async (_name, method, path, payload, status, code) => {
    const { app, service, store, limits } = await setup();
    const res = await request(app)
      [method](path)
      .set('authorization', asUser(OWNER))
      .send(payload as object);
    expect(res.status).toBe(status);
    expect(res.body.error?.code ?? res.body.code).toBe(code);
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    expect(service.provision).not.toHaveBeenCalled();
    expect(service.unprovision).not.toHaveBeenCalled();
    expect(service.verify).not.toHaveBeenCalled();
    expect(store.recordAudit).not.toHaveBeenCalled();
    expect(limits.countAttempt).not.toHaveBeenCalled();
  });

  it.each([
    [
      'trailing comma',
      `{"consumerKey":"c","consumerSecret":"${SECRET}",}`,
      'application/json',
    ],
    [
      'not JSON at all',
      `consumerSecret=${SECRET}`,
      'application/x-www-form-urlencoded',
    ],
    ['truncated', `{"consumerSecret":"${SECRET}`, 'application/json'],
  ])(
    'a malformed body (%s) is a 400 that never echoes it',
    async (_n, raw, type) => {
      const { app, service } = await setup();
      const res = await request(app)
        .put(CELL)
        .set('authorization', asUser(OWNER))
        .set('content-type', type)
        .send(raw);
      expect(res.status).toBe(400);
      expect(res.text).not.toContain(SECRET);
      expect(service.provision).not.toHaveBeenCalled();
    },
  );
});

describe('router: permission matrix', () => {
  const cases = [
    ['PUT', (r: request.Agent) => r.put(CELL).send(body)],
    ['DELETE', (r: request.Agent) => r.delete(`${CELL}?consumerKey=client-1`)],
    [
      'verify',
      (r: request.Agent) =>
        r.post('/verify').send({
          entityRef: 'component:default/orders-service',
          environment: 'dev',
          keyManager: 'IS',
          ...body,
        }),
    ],
  ] as const;

  it.each(cases)('%s: the owner reaches the service once', async (_n, call) => {
    const { app, service, store, event } = await setup();
    const res = await call(
      request.agent(app).set('authorization', asUser(OWNER)),
    );
    expect(res.status).toBeLessThan(300);
    expect(
      service.provision.mock.calls.length +
        service.unprovision.mock.calls.length +
        service.verify.mock.calls.length,
    ).toBe(1);
    expect(store.recordAudit).not.toHaveBeenCalled();
    expect(event.success).toHaveBeenCalledTimes(1);
  });

  it.each(cases)(
    '%s: a stranger gets 403, a denied row, no service call',
    async (_n, call) => {
      const { app, service, store, event, bindings } = await setup();
      const res = await call(
        request.agent(app).set('authorization', asUser(STRANGER)),
      );
      expect(res.status).toBe(403);
      // The binding check asks API-M for the application: never for a refused caller.
      expect(bindings.check).not.toHaveBeenCalled();
      expect(res.body.error.code).toBe('PERMISSION_DENIED');
      expect(service.provision).not.toHaveBeenCalled();
      expect(service.unprovision).not.toHaveBeenCalled();
      expect(service.verify).not.toHaveBeenCalled();
      expect(store.recordAudit).toHaveBeenCalledWith(
        expect.objectContaining({
          actor: STRANGER,
          entityRef: 'component:default/orders-service',
        }),
        expect.objectContaining({
          outcome: 'denied',
          errorCode: 'PERMISSION_DENIED',
        }),
      );
      expect(event.fail).toHaveBeenCalledTimes(1);
      expect(JSON.stringify(store.recordAudit.mock.calls)).not.toContain(
        SECRET,
      );
    },
  );

  it.each(cases)(
    '%s: a service token without a user is refused',
    async (_n, call) => {
      const { app, service } = await setup();
      const res = await call(
        request
          .agent(app)
          .set('authorization', mockCredentials.service.header()),
      );
      expect(res.status).toBe(403);
      expect(service.provision).not.toHaveBeenCalled();
      expect(service.verify).not.toHaveBeenCalled();
    },
  );

  it.each(cases)('%s: no token is a 401', async (_n, call) => {
    const { app, store } = await setup();
    const res = await call(
      request.agent(app).set('authorization', mockCredentials.none.header()),
    );
    expect(res.status).toBe(401);
    expect(store.recordAudit).not.toHaveBeenCalled();
  });

  it('a denied dry run is recorded as a dry run', async () => {
    const { app, store } = await setup();
    await request(app)
      .put(`${CELL}?dryRun=true`)
      .set('authorization', asUser(STRANGER))
      .send(body);
    expect(store.recordAudit).toHaveBeenCalledWith(
      expect.objectContaining({ dryRun: true }),
      expect.objectContaining({ outcome: 'denied' }),
    );
  });

  it('verify of a client mapped for an entity the caller may not change is denied', async () => {
    const { app, service, store, bindings } = await setup();
    bindings.store.entitiesMappingConsumerKey.mockResolvedValue([
      'component:default/payments-service',
    ]);
    const res = await request(app)
      .post('/verify')
      .set('authorization', asUser(OWNER))
      .send({
        entityRef: 'component:default/orders-service',
        environment: 'dev',
        keyManager: 'IS',
        ...body,
      });
    expect(res.status).toBe(403);
    expect(service.verify).not.toHaveBeenCalled();
    expect(store.recordAudit).toHaveBeenCalledWith(
      expect.objectContaining({ action: 'verify' }),
      expect.objectContaining({ outcome: 'denied' }),
    );
  });

  it('GET /mappings and an unfiltered /audit need apim.audit.read', async () => {
    const { app, store } = await setup();
    for (const path of ['/mappings', '/audit']) {
      const denied = await request(app)
        .get(path)
        .set('authorization', asUser(OWNER));
      expect(denied.status).toBe(403);
      const allowed = await request(app)
        .get(path)
        .set('authorization', asUser(AUDITOR));
      expect(allowed.status).toBe(200);
    }
    expect(store.queryMappings).toHaveBeenCalledTimes(1);
    expect(store.queryAudit).toHaveBeenCalledTimes(1);
  });

  it('/audit filtered by an entity the catalog does not show is a 404', async () => {
    const { app, store } = await setup();
    const res = await request(app)
      .get('/audit?entityRef=component:default/ghost')
      .set('authorization', asUser(OWNER));
    expect(res.status).toBe(404);
    expect(store.queryAudit).not.toHaveBeenCalled();
  });
});

describe('router: the gate after the permission', () => {
  it('over the rate limit: 429 with Retry-After and a denied row', async () => {
    const { app, service, store, limits } = await setup();
    limits.countAttempt.mockRejectedValue(
      new RateLimitedError('Too many attempts', 17),
    );
    const res = await request(app)
      .put(CELL)
      .set('authorization', asUser(OWNER))
      .send(body);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('17');
    expect(store.recordAudit).toHaveBeenCalledWith(
      expect.anything(),
      expect.objectContaining({ outcome: 'denied', errorCode: 'RATE_LIMITED' }),
    );
    expect(service.provision).not.toHaveBeenCalled();
  });

  it('DELETE carries no secret and is not counted as an attempt', async () => {
    const { app, limits } = await setup();
    await request(app)
      .delete(`${CELL}?consumerKey=client-1`)
      .set('authorization', asUser(OWNER));
    expect(limits.countAttempt).not.toHaveBeenCalled();
  });

  it.each([
    [
      'bound elsewhere',
      new ApplicationBoundElsewhereError(
        'orders-app',
        'component:default/payments-service',
        'local',
      ),
    ],
    [
      'not bound',
      new ApplicationNotBoundError(
        'orders-app',
        'local',
        'component:default/orders-service',
      ),
    ],
  ])(
    'a binding denial (%s) is a 403, audited by the bindings, no service call',
    async (_n, denial) => {
      const { app, service, bindings } = await setup();
      bindings.check.mockRejectedValue(denial);
      const res = await request(app)
        .put(CELL)
        .set('authorization', asUser(OWNER))
        .send(body);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe(denial.code);
      expect(bindings.auditDenial).toHaveBeenCalledTimes(1);
      expect(service.provision).not.toHaveBeenCalled();
    },
  );

  it.each([
    ['key manager listing', 'listing'],
    ['application lookup of the binding check', 'binding'],
  ])(
    'an API-M fault in the %s is a failed row and a 5xx naming API-M',
    async (_n, where) => {
      const { app, service, store, bindings } = await setup();
      const fault = new ApimError('timeout', 'GET /key-managers', 'timed out');
      if (where === 'listing')
        service.assertKeyManagerName.mockResolvedValue({ error: fault });
      else bindings.check.mockRejectedValue(fault);
      const res = await request(app)
        .put(CELL)
        .set('authorization', asUser(OWNER))
        .send(body);
      expect(res.status).toBeGreaterThanOrEqual(502);
      expect(res.body.error.code).toMatch(/^APIM_/);
      expect(store.recordAudit).toHaveBeenCalledWith(
        expect.anything(),
        expect.objectContaining({ outcome: 'failed' }),
      );
      expect(service.provision).not.toHaveBeenCalled();
    },
  );

  it('a stranger learns nothing of an API-M fault: 403, not 5xx', async () => {
    const { app, service } = await setup();
    service.assertKeyManagerName.mockResolvedValue({
      error: new ApimError('unreachable', 'GET /key-managers', 'refused'),
    });
    const res = await request(app)
      .put(CELL)
      .set('authorization', asUser(STRANGER))
      .send(body);
    expect(res.status).toBe(403);
  });
});

describe('router: the caller on audit rows', () => {
  it.each([
    ['a plain user token', undefined, {}, { source: 'api' }],
    [
      'the UI mark',
      undefined,
      { [APIM_CREDENTIALS_SOURCE_HEADER]: 'ui' },
      { source: 'ui' },
    ],
    [
      'the scaffolder with its task id',
      'plugin:scaffolder',
      { [APIM_CREDENTIALS_TASK_ID_HEADER]: 'task-1' },
      { source: 'scaffolder', via: 'plugin:scaffolder', taskId: 'task-1' },
    ],
    [
      'a task id from another plugin, ignored',
      'plugin:other',
      { [APIM_CREDENTIALS_TASK_ID_HEADER]: 'task-1' },
      { source: 'api', via: 'plugin:other' },
    ],
    [
      'a UI mark from a plugin, ignored',
      'plugin:other',
      { [APIM_CREDENTIALS_SOURCE_HEADER]: 'ui' },
      { source: 'api' },
    ],
  ] as const)('%s', async (_n, actor, headers, expected) => {
    // A task id is believed only from the scaffolder's on-behalf-of token.
    const taskId = 'taskId' in expected ? expected.taskId : undefined;
    const { app, service } = await setup();
    const res = await request(app)
      .put(CELL)
      .set('authorization', asUser(OWNER, actor))
      .set(headers as Record<string, string>)
      .send(body);
    expect(res.status).toBe(201);
    expect(service.provision).toHaveBeenCalledWith(
      expect.objectContaining({
        entityRef: 'component:default/orders-service',
      }),
      expect.objectContaining({ userEntityRef: OWNER, ...expected }),
    );
    expect(
      ((service.provision.mock.calls[0] as unknown[])[1] as { taskId?: string })
        .taskId,
    ).toBe(taskId);
  });
});

describe('router: approvals', () => {
  const ID = '7d7f2d4e-4a4b-4a3e-9a51-2d3b0c9b8a11';

  it('passes the approve permission to the service, which refuses and audits', async () => {
    const { app, approvals } = await setup();
    await request(app)
      .post(`/approvals/${ID}/approve`)
      .set('authorization', asUser(OWNER))
      .send({ comment: 'mine' });
    expect(approvals.decide).toHaveBeenLastCalledWith(
      ID,
      'approve',
      'mine',
      expect.objectContaining({ userEntityRef: OWNER }),
      false,
    );
    const allowed = await request(app)
      .post(`/approvals/${ID}/reject`)
      .set('authorization', asUser(AUDITOR))
      .send({ comment: 'no' });
    expect(allowed.status).toBe(200);
    expect(approvals.decide).toHaveBeenLastCalledWith(
      ID,
      'reject',
      'no',
      expect.objectContaining({ userEntityRef: AUDITOR }),
      true,
    );
  });

  it.each([
    ['a bad id', '/approvals/not-an-id/approve', {}],
    ['a bad decision', `/approvals/${ID}/maybe`, {}],
    ['an unknown body field', `/approvals/${ID}/approve`, { secret: 'x' }],
  ])('%s is a 400', async (_n, path, payload) => {
    const { app, approvals } = await setup();
    const res = await request(app)
      .post(path)
      .set('authorization', asUser(AUDITOR))
      .send(payload);
    expect(res.status).toBe(400);
    expect(approvals.decide).not.toHaveBeenCalled();
  });

  it('GET /approvals: approvers see all; others only an entity they may read', async () => {
    const { app, requests } = await setup();
    expect(
      (await request(app).get('/approvals').set('authorization', asUser(OWNER)))
        .status,
    ).toBe(403);
    expect(
      (
        await request(app)
          .get('/approvals?entityRef=component:default/orders-service')
          .set('authorization', asUser(OWNER))
      ).status,
    ).toBe(200);
    expect(
      (
        await request(app)
          .get('/approvals?state=pending')
          .set('authorization', asUser(AUDITOR))
      ).status,
    ).toBe(200);
    expect(requests.list).toHaveBeenLastCalledWith({
      state: 'pending',
      entityRef: undefined,
    });
  });
});
