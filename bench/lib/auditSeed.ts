/**
 * Deterministic, realistic audit history for the plugin's `apim_credentials_audit` table: two
 * years of attempts, newest last (seq follows time), with skewed popularity of entities and
 * actors, four environments, the four actions and all outcomes in plausible proportions.
 */
import type { Knex } from 'knex';
import { prng } from './common';

export const AUDIT_TABLE = 'apim_credentials_audit';
export const HISTORY_START = Date.parse('2024-01-01T00:00:00Z');
export const HISTORY_MS = 2 * 365 * 24 * 3600 * 1000;

const ENTITIES = 3000;
const USERS = 400;
const ENVIRONMENTS: Array<[string, number]> = [
  ['dev', 0.3],
  ['test', 0.25],
  ['staging', 0.2],
  ['production', 0.25],
];
const ACTIONS: Array<[string, number]> = [
  ['provision', 0.6],
  ['verify', 0.2],
  ['unprovision', 0.12],
  ['create-application', 0.08],
];
const OUTCOMES: Array<[string, number]> = [
  ['succeeded', 0.779],
  ['unchanged', 0.08],
  ['failed', 0.1],
  ['denied', 0.04],
  ['pending', 0.001],
];
const ERRORS = [
  [
    'APIM_TIMEOUT',
    'API-M did not answer POST /applications/{id}/map-keys within 15000 ms; check that API-M is up',
  ],
  [
    'VERIFICATION_FAILED',
    'The key manager rejected the client: invalid_client (Client authentication failed)',
  ],
  [
    'CONFLICT',
    'Environment "production" already has client "kY3f..." mapped as the PRODUCTION key of application "svc-12" in key manager "IS"',
  ],
  [
    'APIM_900967',
    'API-M could not validate the client against key manager "IS" (WSO2 code 900967, "General Error")',
  ],
];

function pick<T>(table: Array<[T, number]>, r: number): T {
  let acc = 0;
  for (const [value, weight] of table) {
    acc += weight;
    if (r < acc) return value;
  }
  return table[table.length - 1][0];
}

/** Popular few, long tail: index in [0, n) with density decreasing like a power law. */
const skewed = (r: number, n: number) =>
  Math.min(n - 1, Math.floor(n * r * r * r));

export const entityRef = (k: number) => `component:default/svc-${k}`;
export const userRef = (k: number) => `user:default/user-${k}`;

export class AuditGenerator {
  private readonly random = prng(20261127);
  private readonly hex = () =>
    Math.floor(this.random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');

  constructor(private readonly total: number) {}

  private uuid() {
    const h = this.hex() + this.hex() + this.hex() + this.hex();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(
      17,
      20,
    )}-${h.slice(20, 32)}`;
  }

  /** Row number `i` of `total` (0 = oldest). */
  row(i: number): Record<string, unknown> {
    const r = this.random;
    const started =
      HISTORY_START + Math.floor(((i + r() * 0.5) / this.total) * HISTORY_MS);
    const entity = skewed(r(), ENTITIES);
    const environment = pick(ENVIRONMENTS, r());
    const action = pick(ACTIONS, r());
    const outcome = pick(OUTCOMES, r());
    const sourceRoll = r();
    const source =
      sourceRoll < 0.7 ? 'ui' : sourceRoll < 0.95 ? 'scaffolder' : 'api';
    const actor =
      source === 'api' ? 'external:ci-pipeline' : userRef(skewed(r(), USERS));
    const keyManager = r() < 0.7 ? 'IS' : 'Resident Key Manager';
    const error =
      outcome === 'failed'
        ? ERRORS[Math.floor(r() * ERRORS.length)]
        : outcome === 'denied'
        ? [
            'NOT_ALLOWED',
            'You may not provision the API-M credentials of this entity',
          ]
        : undefined;
    return {
      id: this.uuid(),
      started_at: new Date(started),
      finished_at:
        outcome === 'pending'
          ? null
          : new Date(started + 40 + Math.floor(r() * 400)),
      actor,
      source,
      via: source === 'scaffolder' ? 'plugin:scaffolder' : null,
      task_id: source === 'scaffolder' ? this.uuid() : null,
      action,
      outcome,
      entity_ref: entityRef(entity),
      environment,
      instance: environment === 'production' ? 'prod-apim' : 'nonprod-apim',
      key_type: environment === 'production' ? 'PRODUCTION' : 'SANDBOX',
      key_manager: keyManager,
      application_id: this.uuid(),
      application_name: `svc-${entity}`,
      key_mapping_id:
        outcome === 'succeeded' && action === 'provision' ? this.uuid() : null,
      consumer_key:
        action === 'create-application'
          ? null
          : `${this.hex()}${this.hex()}${this.hex()}`.slice(0, 28),
      error_code: error?.[0] ?? null,
      error_message: error?.[1] ?? null,
      request_id: this.uuid(),
    };
  }
}

/** Inserts rows [from, to) of the generator in batched multi-row inserts (Knex), in transactions. */
export async function seedAudit(
  knex: Knex,
  generator: AuditGenerator,
  from: number,
  to: number,
  onProgress?: (done: number) => void,
): Promise<void> {
  // One multi-row VALUES statement per batch (kept under SQLite's 32766 bound parameters).
  const batch = 1000;
  const perTransaction = 50_000;
  let columns: string[] | undefined;
  for (let start = from; start < to; start += perTransaction) {
    const end = Math.min(to, start + perTransaction);
    await knex.transaction(async trx => {
      for (let b = start; b < end; b += batch) {
        const bindings: unknown[] = [];
        let tuples = 0;
        for (let i = b; i < Math.min(end, b + batch); i++) {
          const row = generator.row(i);
          columns ??= Object.keys(row);
          for (const c of columns) bindings.push(row[c]);
          tuples++;
        }
        const tuple = `(${columns!.map(() => '?').join(',')})`;
        await trx.raw(
          `insert into ${AUDIT_TABLE} (${columns!.join(',')}) values ${Array(
            tuples,
          )
            .fill(tuple)
            .join(',')}`,
          bindings as any[],
        );
      }
    });
    onProgress?.(end);
  }
}
