/**
 * Checks of the migrations after application_bindings (audit_verified through
 * unlogged_ephemeral_tables), for src/database/migrations.test.ts: the rows each is given before
 * it runs, what it must leave after going up, and what its down must remove and keep.
 */
import {
  at,
  AUDIT,
  BINDINGS,
  bool,
  expectColumns,
  expectIndexes,
  instantOf,
  LOCKS,
  MigrationContext,
  MigrationStepCheck,
  mysqlColumn,
  storesOn,
  T1,
} from './migrationChecks';
import { auditRow } from './migrationStepsEarly';

const RATE_LIMITS = 'apim_credentials_rate_limits';
const PROGRESS = 'apim_credentials_reconcile_progress';
const APPROVALS = 'apim_credentials_approval_requests';
const API_COLUMNS = ['api_ref', 'api_id', 'api_name'];
const RESOLUTION_ROWS = [
  'r-adopted',
  'r-failed',
  'r-gateways',
  'r-plain',
  'r-resolved',
];

/** Audit rows by id (ordered), with `columns`. */
function auditRows(ctx: MigrationContext, ids: string[], columns: string[]) {
  return ctx.knex(AUDIT).whereIn('id', ids).orderBy('id').select(columns);
}

/** The resolution rows' error columns as they were before 20261206100000 (and after its down). */
const ERROR_COLUMNS = [
  ['r-adopted', 'ADOPTED_BY_JOB'],
  ['r-failed', 'APIM_TIMEOUT'],
  ['r-gateways', 'GATEWAYS_NOT_NOTIFIED'],
  ['r-plain', null],
  ['r-resolved', 'RESOLVED_BY_JOB'],
].map(([id, code]) => ({
  id,
  error_code: code,
  error_message: code ? `message of ${id}` : null,
}));

/** A successful row's code moved to resolution/note; the failure and the plain row kept theirs. */
const RESOLUTION_COLUMNS = ERROR_COLUMNS.map(row =>
  row.id === 'r-failed' || row.id === 'r-plain'
    ? { ...row, resolution: null, note: null }
    : {
        id: row.id,
        error_code: null,
        error_message: null,
        resolution: row.error_code,
        note: row.error_message,
      },
);

const SEEDED_BINDING = { instance: 'local', application_id: 'app-seeded' };

/** MySQL/MariaDB: bound_at is `type` with `extra` (ON UPDATE or not). */
async function expectMysqlBoundAt(
  ctx: MigrationContext,
  expected: { type: string; extra: RegExp },
) {
  if (ctx.engine !== 'mysql') return;
  const column = await mysqlColumn(ctx, BINDINGS, 'bound_at');
  expect(column?.type).toBe(expected.type);
  expect(column?.extra).toMatch(expected.extra);
}

const REQUEST = {
  id: 'req-1',
  state: 'pending',
  entity_ref: 'component:default/orders-service',
  environment: 'production',
  instance: 'local',
  key_type: 'PRODUCTION',
  key_manager: 'IS',
  application_name: 'Orders-Service',
  consumer_key: 'orders-prod',
  requested_by: 'user:default/guest',
  requested_at: 1_767_225_600_000,
  expires_at: 1_767_830_400_000,
};

export const LATE_STEPS: MigrationStepCheck[] = [
  {
    name: '20261130150000_audit_verified.js',
    seed: async ctx => {
      await ctx.knex(AUDIT).insert(auditRow(ctx, 'v-dry', { dry_run: true }));
    },
    afterUp: async ctx => {
      const rows = await auditRows(
        ctx,
        ['a1', 'v-dry'],
        ['dry_run', 'verified'],
      );
      expect(rows.map(r => [bool(r.dry_run), r.verified])).toEqual([
        [false, null],
        [true, null],
      ]);
    },
    afterDown: async ctx => {
      await expectColumns(ctx, AUDIT, {
        has: ['dry_run'],
        lacks: ['verified'],
      });
      const [row] = await auditRows(ctx, ['v-dry'], ['dry_run']);
      expect(bool(row.dry_run)).toBe(true);
    },
  },
  {
    name: '20261201100000_rate_limits.js',
    afterUp: async ctx => {
      await expectIndexes(ctx, RATE_LIMITS, {
        has: ['apim_rate_limits_expires_idx'],
      });
      await ctx.knex(RATE_LIMITS).insert({
        counter_key: 'c'.repeat(64),
        hits: 3,
        expires_at: 1_900_000_000_000,
      });
      const [row] = await ctx.knex(RATE_LIMITS).select('hits', 'expires_at');
      expect([Number(row.hits), Number(row.expires_at)]).toEqual([
        3, 1_900_000_000_000,
      ]);
    },
    afterDown: async ctx => {
      expect(await ctx.knex.schema.hasTable(RATE_LIMITS)).toBe(false);
    },
  },
  {
    name: '20261202100000_reconcile_progress.js',
    afterUp: async ctx => {
      await ctx.knex(PROGRESS).insert({ environment: 'sandbox' });
      const [row] = await ctx.knex(PROGRESS).select('after_id', 'settled_at');
      expect([Number(row.after_id), row.settled_at]).toEqual([0, null]);
    },
    afterDown: async ctx => {
      expect(await ctx.knex.schema.hasTable(PROGRESS)).toBe(false);
    },
  },
  {
    name: '20261203160000_audit_api.js',
    afterUp: async ctx => {
      const [old] = await auditRows(ctx, ['a1'], API_COLUMNS);
      expect(old).toEqual({ api_ref: null, api_id: null, api_name: null });
      const api = {
        api_ref: 'api:default/orders-api',
        api_id: 'api-123',
        api_name: 'OrdersAPI 1.0.0',
      };
      await ctx
        .knex(AUDIT)
        .insert(auditRow(ctx, 'api-sub', { action: 'subscribe', ...api }));
      expect(await auditRows(ctx, ['api-sub'], API_COLUMNS)).toEqual([api]);
    },
    afterDown: async ctx => {
      await expectColumns(ctx, AUDIT, {
        has: ['verified'],
        lacks: API_COLUMNS,
      });
      expect(await auditRows(ctx, ['api-sub'], ['action'])).toEqual([
        { action: 'subscribe' },
      ]);
    },
  },
  {
    name: '20261205100000_bindings_bound_at_datetime.js',
    seed: async ctx => {
      await ctx.knex(BINDINGS).insert({
        ...SEEDED_BINDING,
        application_name: 'Seeded',
        application_name_key: 'seeded',
        entity_ref: 'component:default/seeded',
        origin: 'bound',
        bound_by: 'user:default/admin',
        bound_at: at(ctx, T1),
      });
      // What the step is for: a TIMESTAMP that any update of its row rewrites.
      await expectMysqlBoundAt(ctx, { type: 'timestamp', extra: /on update/i });
    },
    afterUp: async ctx => {
      await expectMysqlBoundAt(ctx, { type: 'datetime(6)', extra: /^$/ });
      expect(await instantOf(ctx, BINDINGS, 'bound_at', SEEDED_BINDING)).toBe(
        T1,
      );
      const { bindings } = await storesOn(ctx);
      expect((await bindings.getById('local', 'app-seeded'))?.boundAt).toBe(T1);
      // Updating a binding keeps when it was bound.
      await ctx
        .knex(BINDINGS)
        .where(SEEDED_BINDING)
        .update({ bound_by: 'user:default/other' });
      expect(await instantOf(ctx, BINDINGS, 'bound_at', SEEDED_BINDING)).toBe(
        T1,
      );
    },
    afterDown: async ctx => {
      // Back to TIMESTAMP with an explicit default, so no ON UPDATE; the instant kept.
      await expectMysqlBoundAt(ctx, { type: 'timestamp', extra: /^$/ });
      expect(await instantOf(ctx, BINDINGS, 'bound_at', SEEDED_BINDING)).toBe(
        T1,
      );
    },
  },
  {
    name: '20261206100000_audit_resolution.js',
    seed: async ctx => {
      const finished = (id: string, outcome: string, code?: string) =>
        auditRow(ctx, id, {
          outcome,
          error_code: code ?? null,
          error_message: code ? `message of ${id}` : null,
        });
      await ctx
        .knex(AUDIT)
        .insert([
          finished('r-resolved', 'succeeded', 'RESOLVED_BY_JOB'),
          finished('r-adopted', 'succeeded', 'ADOPTED_BY_JOB'),
          finished('r-gateways', 'unchanged', 'GATEWAYS_NOT_NOTIFIED'),
          finished('r-failed', 'failed', 'APIM_TIMEOUT'),
          finished('r-plain', 'unchanged'),
        ]);
    },
    afterUp: async ctx => {
      expect(
        await auditRows(ctx, RESOLUTION_ROWS, [
          'id',
          'error_code',
          'error_message',
          'resolution',
          'note',
        ]),
      ).toEqual(RESOLUTION_COLUMNS);
      const resolved = await (await storesOn(ctx)).audit.getAudit('r-resolved');
      expect(resolved).toMatchObject({
        resolution: 'RESOLVED_BY_JOB',
        note: 'message of r-resolved',
      });
      expect(resolved?.errorCode).toBeUndefined();
    },
    afterDown: async ctx => {
      await expectColumns(ctx, AUDIT, { lacks: ['resolution', 'note'] });
      expect(
        await auditRows(ctx, RESOLUTION_ROWS, [
          'id',
          'error_code',
          'error_message',
        ]),
      ).toEqual(ERROR_COLUMNS);
    },
  },
  {
    name: '20261207100000_audit_denied_attempts.js',
    seed: async ctx => {
      await ctx.knex(AUDIT).insert(
        auditRow(ctx, 'd-denied', {
          outcome: 'denied',
          error_code: 'NOT_OWNER',
        }),
      );
    },
    afterUp: async ctx => {
      // Every earlier row stands for one attempt.
      const attempts = await ctx.knex(AUDIT).pluck('attempts');
      expect(attempts.length).toBeGreaterThan(5);
      expect(new Set(attempts.map(Number))).toEqual(new Set([1]));
    },
    afterDown: async ctx => {
      await expectColumns(ctx, AUDIT, {
        has: ['resolution'],
        lacks: ['attempts'],
      });
      expect(
        await auditRows(ctx, ['d-denied'], ['outcome', 'error_code']),
      ).toEqual([{ outcome: 'denied', error_code: 'NOT_OWNER' }]);
    },
  },
  {
    name: '20261208100000_approval_requests.js',
    afterUp: async ctx => {
      await expectIndexes(ctx, APPROVALS, {
        has: ['apim_approval_client_idx', 'apim_approval_state_expiry_idx'],
      });
      await ctx.knex(APPROVALS).insert(REQUEST);
      const [row] = await ctx.knex(APPROVALS).select();
      expect({
        ...row,
        requested_at: Number(row.requested_at),
        expires_at: Number(row.expires_at),
      }).toEqual({
        ...REQUEST,
        decided_by: null,
        decided_at: null,
        comment: null,
        used_at: null,
      });
    },
    afterDown: async ctx => {
      expect(await ctx.knex.schema.hasTable(APPROVALS)).toBe(false);
    },
  },
  {
    // Its own test (src/database/unloggedTables.test.ts) checks the persistence; here only that
    // the lock and the counter the earlier steps left survive it both ways.
    name: '20261209100000_unlogged_ephemeral_tables.js',
    afterUp: async ctx => {
      expect(await ctx.knex(LOCKS).pluck('owner')).toEqual(['replica-1']);
      expect((await ctx.knex(RATE_LIMITS).pluck('hits')).map(Number)).toEqual([
        3,
      ]);
    },
    afterDown: async ctx => {
      expect(await ctx.knex(LOCKS).pluck('owner')).toEqual(['replica-1']);
      expect((await ctx.knex(RATE_LIMITS).pluck('hits')).map(Number)).toEqual([
        3,
      ]);
    },
  },
];
