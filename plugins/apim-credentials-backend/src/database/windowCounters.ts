/**
 * Fixed-window counters in the plugin's database (table `apim_credentials_rate_limits`), shared
 * by every backend replica: a rate limit kept in process memory, or in Backstage's default
 * cache (memory, per process), would let each replica grant the full limit again.
 */
import { createHash } from 'node:crypto';
import { Knex } from 'knex';
import { engineOf } from './timestamps';

const TABLE = 'apim_credentials_rate_limits';

/** One counted hit: how many hits the window holds now, and when it ends. */
export interface WindowHit {
  /** Hits in the current window, this one included. */
  count: number;
  /** Whole seconds until the window ends (at least 1): the `Retry-After` of a refusal. */
  resetInSeconds: number;
}

/** Counts hits per key in fixed windows; see the module comment. */
export interface WindowCounter {
  /**
   * Adds one hit to `key`'s current window of `windowSeconds` and returns the window's count.
   * `key` may be any text (it is hashed before it is stored).
   */
  hit(key: string, windowSeconds: number): Promise<WindowHit>;
  /**
   * Adds one hit to each of `keys` in the same window, in one statement, and returns their
   * counts in the order of `keys` (a key named twice is hit once and answered twice).
   */
  hitMany(keys: string[], windowSeconds: number): Promise<WindowHit[]>;
}

export class DatabaseWindowCounter implements WindowCounter {
  private lastSweep = 0;
  /** Whether the upsert can return the count (PostgreSQL, SQLite 3.35+). */
  private readonly returns: boolean;

  constructor(
    private readonly knex: Knex,
    private readonly now: () => number = Date.now,
  ) {
    this.returns = engineOf(knex) !== 'mysql';
  }

  async hit(key: string, windowSeconds: number): Promise<WindowHit> {
    const [hit] = await this.hitMany([key], windowSeconds);
    return hit;
  }

  async hitMany(keys: string[], windowSeconds: number): Promise<WindowHit[]> {
    const now = this.now();
    const windowMs = windowSeconds * 1000;
    const windowStart = Math.floor(now / windowMs) * windowMs;
    const expiresAt = windowStart + windowMs;
    const counterKeys = keys.map(key =>
      createHash('sha256')
        .update(`${windowSeconds}\u0000${windowStart}\u0000${key}`)
        .digest('hex'),
    );
    // One atomic statement on every engine (ON CONFLICT / ON DUPLICATE KEY), however many keys:
    // concurrent hits from several replicas are all counted. The rows go in the order of their
    // keys, so two statements lock shared rows in the same order and cannot deadlock.
    // PostgreSQL and SQLite return the new counts from that same statement: one round trip on
    // every provisioning's critical path (issue 9, "Performance"). MySQL has no RETURNING; it
    // reads the counts back.
    const upsert = this.knex(TABLE)
      .insert(
        // Distinct: PostgreSQL refuses a row twice in one upsert, the others would count twice.
        [...new Set(counterKeys)].sort().map(counterKey => ({
          counter_key: counterKey,
          hits: 1,
          expires_at: expiresAt,
        })),
      )
      .onConflict('counter_key')
      .merge({ hits: this.knex.raw('??.?? + 1', [TABLE, 'hits']) });
    let rows: Array<{ counter_key: string; hits: unknown }>;
    if (this.returns) {
      rows = await upsert.returning(['counter_key', 'hits']);
    } else {
      await upsert;
      rows = await this.knex(TABLE)
        .whereIn('counter_key', counterKeys)
        .select('counter_key', 'hits');
    }
    await this.sweep(now);
    const hits = new Map(rows.map(r => [r.counter_key, Number(r.hits)]));
    const resetInSeconds = Math.max(1, Math.ceil((expiresAt - now) / 1000));
    return counterKeys.map(counterKey => ({
      count: hits.get(counterKey) ?? 1,
      resetInSeconds,
    }));
  }

  /** Deletes ended windows, at most once a minute per process, so the table stays small. */
  private async sweep(now: number) {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    await this.knex(TABLE).where('expires_at', '<', now).delete();
  }
}
