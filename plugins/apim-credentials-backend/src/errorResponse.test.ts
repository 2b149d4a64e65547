import express from 'express';
import request from 'supertest';
import { mockServices } from '@backstage/backend-test-utils';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { ApimError } from './apim/ApimError';
import { RateLimitedError, UpstreamError, coded } from './errors';
import { errorResponse } from './errorResponse';
import { parse } from './parse';
import { auditQuerySchema } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { translateError } from './service/translateError';

const SECRET = 'marker-secret-7f3a';

/** A router like the plugin's, behind Backstage's own error handler as in production. */
function appThrowing(make: () => unknown) {
  const logger = mockServices.logger.mock();
  const router = express.Router();
  router.use(express.json({ limit: '64kb' }));
  router.all('/boom', () => {
    throw make();
  });
  router.post('/echo', (req, res) => {
    res.json({ ok: typeof req.body });
  });
  router.use(errorResponse(logger));
  const app = express();
  app.use(router);
  app.use(
    MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger,
    }).error(),
  );
  return { app, logger };
}

/** POSTs `body` as it is, with `contentType`, to the /echo route of such a router. */
function postEcho(body: string, contentType = 'application/json') {
  const { app } = appThrowing(() => new Error('unused'));
  return request(app).post('/echo').set('content-type', contentType).send(body);
}

describe('errorResponse', () => {
  it.each([
    ['a trailing comma', `{"consumerSecret":"${SECRET}",}`],
    ['a truncated document', `{"consumerSecret":"${SECRET}"`],
    ['a bare word', `consumerSecret=${SECRET}`],
  ])(
    'answers malformed JSON (%s) with a plain 400 without the body',
    async (_, body) => {
      const res = await postEcho(body);
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({
        name: 'InputError',
        message: 'Invalid body: it is not valid JSON',
        code: 'MALFORMED_BODY',
      });
      expect(res.text).not.toContain(SECRET);
      expect(res.text).not.toContain('position');
    },
  );

  it('names the refused fields of a 400 (names only, never a value)', async () => {
    const { app } = appThrowing(() => {
      try {
        parse(
          auditQuerySchema,
          { actor: `not a ref ${SECRET}`, since: 'yesterday', limit: '5' },
          'query',
        );
      } catch (error) {
        return error;
      }
      return new Error('parse accepted a bad query');
    });
    const res = await request(app).get('/boom');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      name: 'InputError',
      code: 'INVALID_INPUT',
      fields: ['actor', 'since'],
    });
    expect(res.text).not.toContain(SECRET);

    const forged = appThrowing(() =>
      Object.assign(new InputError('bad'), {
        fields: ['actor', `x=${SECRET}`, 42],
      }),
    );
    const forgedRes = await request(forged.app).get('/boom');
    expect(forgedRes.body.error.fields).toEqual(['actor']);
  });

  it('answers a too-large body and a bad charset with a plain 400', async () => {
    const large = await postEcho(
      `{"consumerSecret":"${SECRET}","pad":"${'x'.repeat(70_000)}"}`,
    );
    expect(large.status).toBe(400);
    expect(large.body.error.code).toBe('MALFORMED_BODY');
    expect(large.text).not.toContain(SECRET);
    const charset = await postEcho(
      `{"consumerSecret":"${SECRET}"}`,
      'application/json; charset=x-secret-ish',
    );
    expect(charset.status).toBe(400);
    expect(charset.body.error).toEqual({
      name: 'InputError',
      message: 'Invalid body: send it as UTF-8 JSON',
      code: 'MALFORMED_BODY',
    });
    expect(charset.text).not.toContain(SECRET);
  });

  it.each([
    [new InputError('bad field'), 400, 'INVALID_INPUT'],
    [new NotAllowedError('no'), 403, 'PERMISSION_DENIED'],
    [new NotFoundError('gone'), 404, 'NOT_FOUND'],
    [coded(new ConflictError('taken'), 'SLOT_TAKEN'), 409, 'SLOT_TAKEN'],
    [new ConflictError('other'), 409, 'CONFLICT'],
  ])('keeps the message of %s and adds a code', async (error, status, code) => {
    const { app } = appThrowing(() => error);
    const res = await request(app).get('/boom');
    expect(res.status).toBe(status);
    expect(res.body.error).toEqual({
      name: (error as Error).name,
      message: (error as Error).message,
      code,
    });
    expect(res.body.response).toEqual({ statusCode: status });
  });

  it('sends a 5xx without its cause chain and logs the details', async () => {
    const cause = new ApimError(
      'unreachable',
      'GET /applications',
      'GET /applications failed: ECONNREFUSED: connect ECONNREFUSED 10.1.2.3:9443',
    );
    const { app, logger } = appThrowing(
      () => translateError(cause, 'prod').error,
    );
    const res = await request(app).get('/boom');
    expect(res.status).toBe(503);
    expect(Object.keys(res.body.error).sort()).toEqual([
      'code',
      'message',
      'name',
    ]);
    expect(res.body.error.code).toBe('APIM_UNREACHABLE');
    expect(res.body.error.message).toContain('API-M instance "prod"');
    expect(res.text).not.toContain('10.1.2.3');
    expect(res.text).not.toContain('ECONNREFUSED');
    expect(logger.error).toHaveBeenCalled();
  });

  it('hides unexpected errors (SQL, hosts) behind a log id', async () => {
    const { app, logger } = appThrowing(
      () =>
        new Error(
          'insert into "audit" values ($1) - duplicate key value violates unique constraint',
        ),
    );
    const res = await request(app).get('/boom');
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('INTERNAL');
    expect(res.body.error.message).toMatch(/logId=[0-9a-f]{16}/);
    expect(res.text).not.toContain('insert into');
    expect(logger.error).toHaveBeenCalled();
  });

  it('never lets an untranslated API-M status become the HTTP status', async () => {
    const { app } = appThrowing(
      () => new ApimError('http', 'GET /applications', 'failed', 401, 900901),
    );
    const res = await request(app).get('/boom');
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('INTERNAL');
    // Backstage's handler reads `status`/`statusCode`; API-M's status lives elsewhere.
    const raw = new ApimError('http', 'op', 'failed', 401);
    expect(raw).not.toHaveProperty('status');
    expect(raw).not.toHaveProperty('statusCode');
    expect(raw.upstreamStatus).toBe(401);
  });

  it('answers 429 with Retry-After', async () => {
    const { app } = appThrowing(
      () => new RateLimitedError('Too many attempts', 42),
    );
    const res = await request(app).get('/boom');
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('42');
    expect(res.body.error.code).toBe('RATE_LIMITED');
  });

  it('drops the cause text Backstage errors append to their message', async () => {
    const { app } = appThrowing(
      () =>
        new InputError('bad field', new Error(`db at 10.9.9.9 said ${SECRET}`)),
    );
    const res = await request(app).get('/boom');
    expect(res.body.error).toEqual({
      name: 'InputError',
      message: 'bad field',
      code: 'INVALID_INPUT',
    });
  });

  it('keeps the operator message of a coded 5xx', async () => {
    const { app } = appThrowing(
      () =>
        new UpstreamError(
          'Key manager "IS" did not answer',
          504,
          'KEY_MANAGER_TIMEOUT',
          new Error('10.0.0.1'),
        ),
    );
    const res = await request(app).get('/boom');
    expect(res.status).toBe(504);
    expect(res.body.error).toEqual({
      name: 'UpstreamError',
      message: expect.stringMatching(
        /^Key manager "IS" did not answer \(logId=[0-9a-f]{16}\)$/,
      ),
      code: 'KEY_MANAGER_TIMEOUT',
    });
  });
});
