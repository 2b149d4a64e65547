/**
 * Checks of the first four migrations (init through utc_datetime), for
 * src/database/migrations.test.ts: the rows each is given before it runs, what it must leave
 * after going up, and what its down must remove and keep.
 */
import {
  at,
  AUDIT,
  expectColumns,
  expectIndexes,
  instantOf,
  LOCKS,
  MAPPINGS,
  MigrationContext,
  MigrationStepCheck,
  mysqlColumn,
  storesOn,
  T0,
  T1,
} from './migrationChecks';

const SEQ_INDEXES = [
  'apim_audit_entity_seq_idx',
  'apim_audit_environment_seq_idx',
  'apim_audit_actor_seq_idx',
  'apim_audit_action_seq_idx',
  'apim_audit_outcome_seq_idx',
  'apim_audit_started_at_idx',
];
const TIME_INDEXES = [
  'apim_audit_time_idx',
  'apim_audit_entity_time_idx',
  'apim_audit_environment_time_idx',
  'apim_audit_actor_time_idx',
  'apim_audit_action_time_idx',
  'apim_audit_outcome_time_idx',
];
export const ORDERS = 'component:default/orders-service';

/** An audit row of the init schema, started at T0 and finished at T1. */
export function auditRow(
  ctx: MigrationContext,
  id: string,
  fields: Record<string, unknown> = {},
) {
  return {
    id,
    started_at: at(ctx, T0),
    finished_at: at(ctx, T1),
    actor: 'user:default/guest',
    source: 'ui',
    action: 'provision',
    outcome: 'succeeded',
    entity_ref: ORDERS,
    ...fields,
  };
}

/** A mapping row of the init schema (sandbox, key manager IS, instance local). */
export function mappingRow(
  ctx: MigrationContext,
  entityRef: string,
  key: string,
  fields: Record<string, unknown> = {},
) {
  return {
    entity_ref: entityRef,
    environment: 'sandbox',
    key_manager: 'IS',
    instance: 'local',
    key_type: 'SANDBOX',
    application_id: 'app-1',
    application_name: 'Orders-Service',
    consumer_key: key,
    key_mapping_id: `km-${key}`,
    grant_types: '["client_credentials"]',
    provisioned_by: 'user:default/Guest',
    provisioned_at: at(ctx, T0),
    state: 'active',
    ...fields,
  };
}

/** The a1/a2 audit rows and the `newer` mapping keep their instants (MySQL: no ON UPDATE). */
export async function expectSeededInstants(ctx: MigrationContext) {
  expect(await instantOf(ctx, AUDIT, 'started_at', { id: 'a1' })).toBe(T0);
  expect(await instantOf(ctx, AUDIT, 'finished_at', { id: 'a1' })).toBe(T1);
  expect(await instantOf(ctx, AUDIT, 'started_at', { id: 'a2' })).toBe(T0);
  expect(
    await instantOf(ctx, MAPPINGS, 'provisioned_at', { consumer_key: 'newer' }),
  ).toBe(T1);
}

/**
 * The mappings seeded before 20261130100000 (entity ref, consumer key, provisioned by), ordered
 * by entity ref and key.
 */
function mappings(ctx: MigrationContext) {
  return ctx
    .knex(MAPPINGS)
    .whereIn('consumer_key', [
      'newer',
      'older',
      'oldest',
      'tie-1',
      'tie-2',
      'web',
    ])
    .orderBy(['entity_ref', 'consumer_key'])
    .select('entity_ref', 'consumer_key', 'provisioned_by');
}

const CANONICAL_MAPPINGS = [
  [ORDERS, 'newer'],
  ['component:default/tie-break', 'tie-2'],
  ['component:default/web-portal', 'web'],
].map(([entity_ref, consumer_key]) => ({
  entity_ref,
  consumer_key,
  provisioned_by: 'user:default/guest',
}));

async function expectCanonicalRefs(ctx: MigrationContext) {
  expect(
    await ctx
      .knex(AUDIT)
      .whereIn('id', ['a1', 'a2'])
      .orderBy('id')
      .select('id', 'entity_ref', 'actor'),
  ).toEqual(
    ['a1', 'a2'].map(id => ({
      id,
      entity_ref: ORDERS,
      actor: 'user:default/guest',
    })),
  );
  expect(await mappings(ctx)).toEqual(CANONICAL_MAPPINGS);
}

/** MySQL/MariaDB: the three time columns of audit and mappings are `type` without ON UPDATE. */
async function expectMysqlTimes(ctx: MigrationContext, type: string) {
  if (ctx.engine !== 'mysql') return;
  for (const [table, column] of [
    [AUDIT, 'started_at'],
    [AUDIT, 'finished_at'],
    [MAPPINGS, 'provisioned_at'],
  ]) {
    expect({ column, ...(await mysqlColumn(ctx, table, column)) }).toEqual({
      column,
      type,
      extra: '',
    });
  }
}

export const EARLY_STEPS: MigrationStepCheck[] = [
  {
    name: '20261127100000_init.js',
    afterUp: async ctx => {
      for (const table of [AUDIT, MAPPINGS, LOCKS]) {
        expect(await ctx.knex.schema.hasTable(table)).toBe(true);
      }
      await expectIndexes(ctx, AUDIT, {
        has: SEQ_INDEXES,
        lacks: TIME_INDEXES,
      });
      await expectIndexes(ctx, MAPPINGS, {
        has: [
          'apim_mappings_cell_uq',
          'apim_mappings_environment_idx',
          'apim_mappings_key_manager_idx',
        ],
      });
      await expectColumns(ctx, AUDIT, {
        has: ['seq', 'id', 'started_at', 'error_code', 'request_id'],
        lacks: ['dry_run', 'verified', 'api_ref', 'resolution', 'attempts'],
      });
    },
    afterDown: async ctx => {
      for (const table of [AUDIT, MAPPINGS, LOCKS]) {
        expect(await ctx.knex.schema.hasTable(table)).toBe(false);
      }
    },
  },
  {
    name: '20261127110000_audit_time_keyset.js',
    seed: async ctx => {
      await ctx.knex(AUDIT).insert([
        auditRow(ctx, 'a1', {
          entity_ref: 'component:default/Orders-Service',
          actor: 'user:default/Guest',
        }),
        auditRow(ctx, 'a2'),
      ]);
      await ctx.knex(MAPPINGS).insert([
        mappingRow(ctx, 'component:default/Orders-Service', 'newer', {
          provisioned_at: at(ctx, T1),
        }),
        mappingRow(ctx, 'component:default/Web-Portal', 'web', {
          application_id: 'app-web',
          application_name: 'web-portal',
        }),
      ]);
      await ctx.knex(LOCKS).insert({
        cell: 'local|orders|SANDBOX|IS',
        owner: 'replica-1',
        expires_at: 1_900_000_000_000,
      });
    },
    afterUp: async ctx => {
      await expectIndexes(ctx, AUDIT, {
        has: TIME_INDEXES,
        lacks: SEQ_INDEXES,
      });
      expect(await ctx.knex(AUDIT).orderBy('id').pluck('id')).toEqual([
        'a1',
        'a2',
      ]);
      await expectSeededInstants(ctx);
    },
    afterDown: async ctx => {
      await expectIndexes(ctx, AUDIT, {
        has: SEQ_INDEXES,
        lacks: TIME_INDEXES,
      });
      await expectSeededInstants(ctx);
    },
  },
  {
    name: '20261130100000_canonical_entity_refs.js',
    seed: async ctx => {
      // MySQL's case-insensitive unique key never let two spellings of one cell in.
      const tie = mappingRow(ctx, 'component:default/Tie-Break', 'tie-2', {
        application_id: 'app-tie',
        application_name: 'Tie-Break',
      });
      if (ctx.engine === 'mysql') {
        await ctx.knex(MAPPINGS).insert(tie);
        return;
      }
      await ctx.knex(MAPPINGS).insert([
        mappingRow(ctx, ORDERS, 'older'),
        mappingRow(ctx, 'component:default/ORDERS-SERVICE', 'oldest'),
        // Same provisioned_at: the higher id (inserted last) is kept.
        {
          ...tie,
          entity_ref: 'component:default/TIE-BREAK',
          consumer_key: 'tie-1',
        },
        tie,
      ]);
    },
    afterUp: async ctx => {
      await expectCanonicalRefs(ctx);
      await expectSeededInstants(ctx);
    },
    afterDown: async ctx => {
      // A no-op: the original spelling is gone, and lower-case refs are valid refs.
      await expectCanonicalRefs(ctx);
      await expectSeededInstants(ctx);
    },
  },
  {
    name: '20261130100100_utc_datetime.js',
    afterUp: async ctx => {
      await expectMysqlTimes(ctx, 'datetime(6)');
      await expectSeededInstants(ctx);
      // The store reads every instant right, whatever the session's time zone.
      const { audit, mappings: store } = await storesOn(ctx);
      expect(await audit.getAudit('a1')).toMatchObject({
        startedAt: T0,
        finishedAt: T1,
      });
      const [mapping] = await store.getMappingsForEntity(ORDERS);
      expect(mapping.provisionedAt).toBe(T1);
    },
    afterDown: async ctx => {
      // Back to TIMESTAMP, without ON UPDATE, the instants kept.
      await expectMysqlTimes(ctx, 'timestamp');
      await expectSeededInstants(ctx);
    },
  },
];
