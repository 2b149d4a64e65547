import { mockCredentials } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { APIM_CREDENTIALS_TASK_ID_HEADER } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { createApimCredentialsProvisionAction } from './provision';
import { FakeApimCredentialsBackend } from '../__testUtils__/FakeApimCredentialsBackend';
import {
  actionOptions,
  everythingLogged,
  outputs,
  provisionInput,
  taskContextWithSecrets,
} from '../__testUtils__/taskContext';

const SECRET = 's3cr3t-Value-9f2c';

const baseInput = provisionInput('orders-client', SECRET);

const PROD_SECRET = 'pr0d-S3cret-Value-77aa';
// One client per environment (issue 15 item 2), each secret named in the task's secrets.
const twoClients = {
  entityRef: 'component:default/orders-service',
  keyManager: 'IS',
  clients: [
    {
      environment: 'sandbox',
      consumerKey: 'orders-client',
      secretName: 'sandboxSecret',
    },
    {
      environment: 'production',
      consumerKey: 'orders-prod',
      secretName: 'productionSecret',
    },
  ],
};
const twoSecrets = { sandboxSecret: SECRET, productionSecret: PROD_SECRET };

function setup(
  options: { catalog?: ReturnType<typeof catalogServiceMock> } = {},
) {
  const backend = new FakeApimCredentialsBackend();
  const action = createApimCredentialsProvisionAction(
    actionOptions(backend.fetch, options.catalog),
  );
  return { backend, action };
}

const context = taskContextWithSecrets({ consumerSecret: SECRET });

describe('apim:credentials:provision', () => {
  it('maps the client in every environment on behalf of the user, with the task id', async () => {
    const { backend, action } = setup();
    const { ctx, logger } = context(
      { ...twoClients, verify: true },
      { secrets: twoSecrets },
    );

    await action.handler(ctx);

    const puts = backend.mutations;
    expect(puts.map(r => r.url.pathname)).toEqual([
      '/api/apim-credentials/entities/component/default/orders-service/credentials/sandbox/IS',
      '/api/apim-credentials/entities/component/default/orders-service/credentials/production/IS',
    ]);
    expect(puts.map(p => p.body)).toEqual([
      { consumerKey: 'orders-client', consumerSecret: SECRET, verify: true },
      { consumerKey: 'orders-prod', consumerSecret: PROD_SECRET, verify: true },
    ]);
    for (const put of puts) {
      expect(put.headers[APIM_CREDENTIALS_TASK_ID_HEADER]).toBe('task-123');
      // A plugin request token for apim-credentials, on behalf of the initiating user.
      const token = put.headers.authorization.replace(/^Bearer /, '');
      expect(token).toBe(
        mockCredentials.service.token({
          onBehalfOf: mockCredentials.user(),
          targetPluginId: 'apim-credentials',
        }),
      );
      expect(put.url.searchParams.has('createApplication')).toBe(false);
      expect(put.url.searchParams.has('dryRun')).toBe(false);
    }
    expect(outputs(ctx)).toEqual({
      applicationId: 'app-orders-service',
      applicationName: 'orders-service',
      applicationStatus: expect.any(String),
      warnings: [],
      approvals: [],
      mappings: [
        expect.objectContaining({
          environment: 'sandbox',
          keyManager: 'IS',
          keyType: 'SANDBOX',
          consumerKey: 'orders-client',
          status: 'created',
          keyMappingId: expect.stringMatching(/^km-/),
        }),
        expect.objectContaining({
          environment: 'production',
          keyManager: 'IS',
          keyType: 'PRODUCTION',
          status: 'created',
        }),
      ],
    });
    expect(everythingLogged(logger)).not.toContain(SECRET);
  });

  it('accepts a single environment string and a short entity ref, and omits verify when unset', async () => {
    const { backend, action } = setup();
    const { ctx } = context({
      ...baseInput,
      entityRef: 'orders-service',
      environments: 'sandbox',
    });
    await action.handler(ctx);
    const [put] = backend.requests.filter(r => r.method === 'PUT');
    expect(put.url.pathname).toContain(
      '/entities/component/default/orders-service/credentials/sandbox/IS',
    );
    expect(put.body).toEqual({
      consumerKey: 'orders-client',
      consumerSecret: SECRET,
    });
  });

  it('sends the canonical entity ref, whatever case the template used (issue 10, item 5)', async () => {
    const { backend, action } = setup();
    await action.handler(
      context({ ...baseInput, entityRef: 'Component:Default/Orders-Service' })
        .ctx,
    );
    const [put] = backend.requests.filter(r => r.method === 'PUT');
    expect(put.url.pathname).toContain(
      '/entities/component/default/orders-service/credentials/sandbox/IS',
    );
  });

  it('passes createApplication=false only when the author set it false', async () => {
    const { backend, action } = setup();
    await action.handler(
      context({ ...baseInput, createApplication: false }).ctx,
    );
    await action.handler(
      context({
        ...baseInput,
        environments: ['production'],
        createApplication: true,
      }).ctx,
    );
    const puts = backend.requests.filter(r => r.method === 'PUT');
    expect(puts[0].url.searchParams.get('createApplication')).toBe('false');
    expect(puts[1].url.searchParams.has('createApplication')).toBe(false);
  });

  describe('input checks (before any call)', () => {
    it.each([
      [{ environments: [] }, /at least one environment/],
      [{ environments: ['sand box'] }, /environments: "sand box"/],
      [{ entityRef: 'component:default/' }, /entityRef/],
      [{ consumerKey: 'has space' }, /consumerKey must not contain whitespace/],
      [{ consumerSecret: '' }, /consumerSecret must not be empty/],
      [{ keyManager: '' }, /keyManager must be a key manager name/],
    ])('rejects %j', async (override, message) => {
      const { backend, action } = setup();
      await expect(
        action.handler(context({ ...baseInput, ...override }).ctx),
      ).rejects.toThrow(message);
      expect(backend.requests).toEqual([]);
    });

    it('rejects an unknown environment, naming the configured ones, before mapping anything', async () => {
      const { backend, action } = setup();
      const { ctx } = context({
        ...baseInput,
        environments: ['sandbox', 'staging'],
      });
      await expect(action.handler(ctx)).rejects.toThrow(
        'Unknown environment "staging". Configured environments: "sandbox" (Sandbox), "production" (Production)',
      );
      expect(backend.mutations).toEqual([]);
    });

    it('rejects a key manager the environment does not allow, before mapping anything', async () => {
      const { backend, action } = setup();
      const { ctx } = context({
        ...baseInput,
        environments: ['sandbox', 'production'],
        keyManager: 'Resident Key Manager',
      });
      await expect(action.handler(ctx)).rejects.toThrow(
        /Key manager "Resident Key Manager" is not allowed in environment "production": not on the allow-list.*Key managers that allow mapping there: "IS"/,
      );
      expect(backend.mutations).toEqual([]);
    });

    it('rejects a key manager that API-M does not know in that environment', async () => {
      const { action } = setup();
      await expect(
        action.handler(context({ ...baseInput, keyManager: 'Okta' }).ctx),
      ).rejects.toThrow(
        /Key manager "Okta" is not available in environment "sandbox"/,
      );
    });

    it('still provisions when /environments cannot be read (the backend checks instead)', async () => {
      const { backend, action } = setup();
      backend.environmentsFailure = {
        status: 500,
        name: 'Error',
        message: 'boom',
      };
      const { ctx, logger } = context(baseInput);
      await action.handler(ctx);
      expect(backend.mutations).toHaveLength(1);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringContaining(
          'Could not list the apim-credentials environments',
        ),
      );
    });
  });

  describe('dry run', () => {
    it('asks the backend with dryRun=true, maps nothing, stores no checkpoint, reports what it would do', async () => {
      const { backend, action } = setup();
      const checkpoints = new Map<string, unknown>();
      const { ctx, logger, checkpointKeys } = context(
        { ...baseInput, environments: ['sandbox', 'production'] },
        { isDryRun: true, checkpoints },
      );
      await action.handler(ctx);

      const puts = backend.requests.filter(r => r.method === 'PUT');
      expect(puts).toHaveLength(2);
      expect(puts.every(r => r.url.searchParams.get('dryRun') === 'true')).toBe(
        true,
      );
      expect(backend.mappings.size).toBe(0);
      expect(checkpointKeys).toEqual([]);
      expect(logger.info).toHaveBeenCalledWith(
        expect.stringMatching(
          /^Dry run: would map client orders-client into API-M application "orders-service" in environment "sandbox" \(key manager "IS"\)/,
        ),
      );
      expect(outputs(ctx).mappings).toHaveLength(2);
      expect(everythingLogged(logger)).not.toContain(SECRET);
    });

    it('reports a conflict it would run into', async () => {
      const { backend, action } = setup();
      backend.mappings.set('component:default/orders-service|sandbox|IS', {
        consumerKey: 'other-client',
        keyMappingId: 'km-x',
      });
      const { ctx } = context(baseInput, { isDryRun: true });
      await expect(action.handler(ctx)).rejects.toThrow(
        /conflict: client other-client is already mapped/,
      );
      expect(
        backend.mappings.get('component:default/orders-service|sandbox|IS')
          ?.consumerKey,
      ).toBe('other-client');
    });

    it('does not wait for an entity that the dry run of catalog:register never registers', async () => {
      const catalog = catalogServiceMock({ entities: [] });
      const { backend, action } = setup({ catalog });
      const { ctx, logger } = context(
        { ...baseInput, waitForEntity: 60 },
        { isDryRun: true },
      );
      const started = Date.now();
      await action.handler(ctx);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(backend.requests.filter(r => r.method === 'PUT')).toEqual([]);
      expect(logger.info).toHaveBeenCalledWith(
        expect.stringContaining('Dry run: would wait up to 60 seconds'),
      );
    });
  });

  describe('checkpoints', () => {
    it('a re-run task with its stored checkpoints maps each environment once', async () => {
      const { backend, action } = setup();
      const checkpoints = new Map<string, unknown>();
      const input = twoClients;

      const first = context(input, { checkpoints, secrets: twoSecrets });
      await action.handler(first.ctx);
      const second = context(input, { checkpoints, secrets: twoSecrets });
      await action.handler(second.ctx);

      expect(backend.mutations).toHaveLength(2);
      expect(backend.mappings.size).toBe(2);
      expect(outputs(second.ctx)).toEqual(outputs(first.ctx));
      // Keyed per environment, by non-secret ids only; values hold no secret either.
      expect([...checkpoints.keys()]).toEqual([
        'apim-credentials|provision|component:default/orders-service|sandbox|IS|orders-client',
        'apim-credentials|provision|component:default/orders-service|production|IS|orders-prod',
      ]);
      expect(JSON.stringify([...checkpoints.entries()])).not.toContain(SECRET);
      expect(JSON.stringify([...checkpoints.entries()])).not.toContain(
        PROD_SECRET,
      );
    });

    it('a recovered task whose mapping was made before its checkpoint was saved does not fail', async () => {
      const { backend, action } = setup();
      await action.handler(context(baseInput).ctx); // mapped, checkpoint "lost"
      const retry = context(baseInput, { checkpoints: new Map() });
      await action.handler(retry.ctx);
      expect(backend.mappings.size).toBe(1);
      expect(outputs(retry.ctx).mappings).toEqual([
        expect.objectContaining({
          status: 'unchanged',
          environment: 'sandbox',
        }),
      ]);
    });

    it('retries only the environment whose checkpoint did not succeed', async () => {
      const backend = new FakeApimCredentialsBackend();
      let failProduction = true;
      // Fails after the pre-flight passed: only the real call of production fails.
      const action = createApimCredentialsProvisionAction(
        actionOptions(async (url, init) =>
          failProduction &&
          init?.method === 'PUT' &&
          url.includes('/production/') &&
          !url.includes('dryRun=true')
            ? new Response(
                JSON.stringify({
                  error: {
                    name: 'ServiceUnavailableError',
                    message: 'API-M instance "local" did not answer',
                  },
                }),
                {
                  status: 503,
                  headers: { 'content-type': 'application/json' },
                },
              )
            : backend.fetch(url, init),
        ),
      );
      const checkpoints = new Map<string, unknown>();
      const input = twoClients;
      await expect(
        action.handler(
          context(input, { checkpoints, secrets: twoSecrets }).ctx,
        ),
      ).rejects.toThrow();
      failProduction = false;
      const retry = context(input, { checkpoints, secrets: twoSecrets });
      await action.handler(retry.ctx);
      const paths = backend.mutations.map(r =>
        r.url.pathname.split('/').slice(-2).join('/'),
      );
      // First run: sandbox mapped, production failed; the retry maps only production.
      expect(paths).toEqual(['sandbox/IS', 'production/IS']);
      expect(
        outputs(retry.ctx).mappings.map((m: any) => m.environment),
      ).toEqual(['sandbox', 'production']);
    });
  });

  describe('errors a template author can act on', () => {
    it.each([
      [
        {
          status: 403,
          name: 'NotAllowedError',
          message: 'user:default/mock may not provision',
        },
        'NotAllowedError',
        /permission denied: you may not provision API-M credentials for component:default\/orders-service/,
      ],
      [
        {
          status: 409,
          name: 'ConflictError',
          message:
            'client other is already mapped for component:default/orders-service in sandbox (IS)',
        },
        'ConflictError',
        /conflict: client other is already mapped.*Remove the existing mapping first/,
      ],
      [
        {
          status: 400,
          name: 'InputError',
          message: 'verification failed: the key manager said invalid_client',
          code: 'VERIFICATION_FAILED' as const,
        },
        'InputError',
        /verification failed.*Check the consumer key and secret/,
      ],
      [
        {
          status: 400,
          name: 'InputError',
          message: 'key manager "IS" does not allow mapping existing clients',
          code: 'KEY_MANAGER_NOT_OFFERED' as const,
        },
        'InputError',
        /does not allow mapping existing clients\. Choose a key manager/,
      ],
      [
        {
          status: 404,
          name: 'NotFoundError',
          message: 'entity component:default/orders-service not found',
          code: 'ENTITY_NOT_FOUND' as const,
        },
        'NotFoundError',
        /not found: entity .* set waitForEntity/,
      ],
      [
        {
          status: 503,
          name: 'ServiceUnavailableError',
          message: 'API-M instance "local" is unreachable',
        },
        'ServiceUnavailableError',
        /API-M or the key manager is unreachable or failing \(HTTP 503\)/,
      ],
      [
        {
          status: 504,
          name: 'ServiceUnavailableError',
          message: 'API-M timed out',
        },
        'ServiceUnavailableError',
        /unreachable or failing \(HTTP 504\)/,
      ],
    ])('HTTP %j', async (failure, errorName, message) => {
      const { backend, action } = setup();
      backend.failures.set('sandbox', failure);
      const { ctx, logger } = context(baseInput);
      const error = await action.handler(ctx).then(
        () => undefined,
        e => e,
      );
      expect(error?.name).toBe(errorName);
      expect(error.message).toMatch(
        /^apim:credentials:provision failed in environment "sandbox" \(key manager "IS"\)/,
      );
      expect(error.message).toMatch(message);
      expect(logger.error).toHaveBeenCalledWith(expect.stringMatching(message));
    });

    it('says when the backend itself cannot be reached', async () => {
      const action = createApimCredentialsProvisionAction(
        actionOptions(async () => {
          throw new TypeError('fetch failed');
        }),
      );
      await expect(action.handler(context(baseInput).ctx)).rejects.toThrow(
        /could not reach the apim-credentials backend: fetch failed/,
      );
    });

    it('with several environments, checks every one before changing any and lists each (issue 15 item 2)', async () => {
      const { backend, action } = setup();
      backend.mappings.set('component:default/orders-service|production|IS', {
        consumerKey: 'other-client',
        keyMappingId: 'km-x',
      });
      const { ctx } = context(twoClients, { secrets: twoSecrets });
      const error = await action.handler(ctx).then(
        () => undefined,
        e => e,
      );
      expect(error.name).toBe('ConflictError');
      expect(error.message).toBe(
        [
          'apim:credentials:provision: nothing was changed; 1 of 2 environments cannot go ahead:',
          expect.anything(),
        ][0] + error.message.slice(error.message.indexOf('\n')),
      );
      expect(error.message.split('\n').slice(1)).toEqual([
        expect.stringMatching(
          /^- environment "production" \(key manager "IS"\): conflict: client other-client is already mapped/,
        ),
        '- environment "sandbox": checked, not changed',
        '',
        '[Open component:default/orders-service](/catalog/default/component/orders-service)',
      ]);
      expect(error.stack).not.toMatch(/\n\s+at /);
      expect(backend.mutations).toEqual([]);
    });

    it('refuses one client for the SANDBOX and the PRODUCTION key of one instance before any call changes anything', async () => {
      const { backend, action } = setup();
      const { ctx } = context({
        ...baseInput,
        environments: ['sandbox', 'production'],
      });
      await expect(action.handler(ctx)).rejects.toThrow(
        /nothing was changed; 1 of 2 environments cannot go ahead:\n- environment "production" \(key manager "IS"\): conflict: client orders-client would already be the SANDBOX key in "Sandbox"/,
      );
      expect(backend.mutations).toEqual([]);
    });

    it('refuses a clients entry whose secret is not among the task secrets, naming it', async () => {
      const { backend, action } = setup();
      const { ctx } = context(twoClients, {
        secrets: { sandboxSecret: SECRET, backstageToken: PROD_SECRET },
      });
      await expect(action.handler(ctx)).rejects.toThrow(
        'clients[1] (environment "production"): the task has no secret "productionSecret"',
      );
      expect(backend.requests).toEqual([]);
    });
  });

  describe('the secret', () => {
    it('never reaches a logger call, the outputs, checkpoints or the error, even if the backend echoes it', async () => {
      const { backend, action } = setup();
      backend.failures.set('production', {
        status: 400,
        name: 'InputError',
        message: `bad secret ${SECRET}`,
      });
      const checkpoints = new Map<string, unknown>();
      const { ctx, logger } = context(twoClients, {
        checkpoints,
        secrets: twoSecrets,
      });
      const error = await action.handler(ctx).then(
        () => undefined,
        e => e,
      );
      expect(error.message).toContain('bad secret ***');
      expect(error.message).not.toContain(SECRET);
      expect(everythingLogged(logger)).not.toContain(SECRET);
      expect(
        JSON.stringify((ctx.output as jest.Mock).mock.calls),
      ).not.toContain(SECRET);
      expect(JSON.stringify([...checkpoints.entries()])).not.toContain(SECRET);
    });

    it('is registered with the redacting task logger', async () => {
      const { action } = setup();
      const { ctx } = context(baseInput);
      const addRedactions = jest.fn();
      (ctx.logger as any).addRedactions = addRedactions;
      await action.handler(ctx);
      expect(addRedactions).toHaveBeenCalledWith([SECRET]);
    });

    describe("must come from the template's secrets (issue 10, item 4)", () => {
      it.each([
        ['no template secrets at all', {}],
        ['a template secret with another value', { consumerSecret: 'other' }],
        // The scaffolder's own entries are the user's credentials, not template secrets.
        ['only the scaffolder token', { backstageToken: SECRET }],
        [
          'only the initiator credentials',
          { __initiatorCredentials: SECRET, initiatorCredentials: SECRET },
        ],
      ])(
        'fails before any call, naming secrets.consumerSecret, with %s',
        async (_label, secrets) => {
          const { backend, action } = setup();
          const { ctx, logger } = context(baseInput, { secrets });
          const error = await action.handler(ctx).then(
            () => undefined,
            e => e,
          );
          expect(error?.name).toBe('InputError');
          expect(error.message).toMatch(
            /^consumerSecret does not come from the template's secrets\. Pass it as \$\{\{ secrets\.consumerSecret \}\}/,
          );
          expect(error.message).not.toContain(SECRET);
          expect(backend.requests).toEqual([]);
          expect((ctx.output as jest.Mock).mock.calls).toEqual([]);
          expect(everythingLogged(logger)).not.toContain(SECRET);
        },
      );

      it.each(['*', '*****', '*'.repeat(40)])(
        'fails before any call on the masked copy of a Secret field (%s), even if a secret holds it',
        async masked => {
          const { backend, action } = setup();
          const { ctx } = context(
            { ...baseInput, consumerSecret: masked },
            { secrets: { consumerSecret: masked } },
          );
          await expect(action.handler(ctx)).rejects.toThrow(
            /^consumerSecret is a masked value \(only asterisks\).*\$\{\{ secrets\.consumerSecret \}\}/,
          );
          expect(backend.requests).toEqual([]);
        },
      );

      it('fails in a dry run too', async () => {
        const { backend, action } = setup();
        const { ctx } = context(baseInput, { isDryRun: true, secrets: {} });
        await expect(action.handler(ctx)).rejects.toThrow(
          /secrets\.consumerSecret/,
        );
        expect(backend.requests).toEqual([]);
      });

      it('accepts a secret of any name, next to the scaffolder entries', async () => {
        const { backend, action } = setup();
        const { ctx } = context(baseInput, {
          secrets: {
            backstageToken: 'user-token',
            __initiatorCredentials: '{}',
            clientSecret: SECRET,
          },
        });
        await action.handler(ctx);
        expect(backend.mutations).toHaveLength(1);
      });
    });
  });

  describe('waitForEntity', () => {
    it('waits for an entity that an earlier step registered', async () => {
      const catalog = catalogServiceMock({ entities: [] });
      const entity = {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'orders-service', namespace: 'default' },
        spec: {},
      };
      let calls = 0;
      jest
        .spyOn(catalog, 'getEntityByRef')
        .mockImplementation(async () => (++calls >= 3 ? entity : undefined));
      const { backend, action } = setup({ catalog });
      await action.handler(context({ ...baseInput, waitForEntity: 30 }).ctx);
      expect(calls).toBe(3);
      expect(catalog.getEntityByRef).toHaveBeenCalledWith(
        'component:default/orders-service',
        { credentials: mockCredentials.user() },
      );
      expect(backend.mutations).toHaveLength(1);
    });

    it('gives up after the given seconds with a message saying so', async () => {
      const catalog = catalogServiceMock({ entities: [] });
      const { backend, action } = setup({ catalog });
      await expect(
        action.handler(context({ ...baseInput, waitForEntity: 1 }).ctx),
      ).rejects.toThrow(
        'component:default/orders-service did not appear in the catalog within 1 seconds',
      );
      expect(backend.requests).toEqual([]);
    });
  });
});
