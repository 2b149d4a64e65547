/**
 * Per-cell provisioning locks: a row per held lock in `apim_credentials_locks`, so they work
 * across backend replicas sharing one database; a lock expires so that a crashed holder cannot
 * block its cell for ever.
 */
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { isDatabaseConflictError } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import type { ApimCredentialsDatabase } from './ApimCredentialsDatabase';

const LOCKS = 'apim_credentials_locks';

/** A row of `apim_credentials_locks` (migration init). */
export interface DbCellLockRow {
  /** entity x environment x key manager (service/provisioningTypes.ts cellKey). */
  cell: string;
  /** The holder's random id: only the holder releases. */
  owner: string;
  /** Epoch milliseconds after which another replica may take the lock over. */
  expires_at: number | string;
}

/** A held cell lock. */
export interface CellLock {
  release(): Promise<void>;
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

export class CellLocks {
  /** The locks table of a migrated database. */
  static async create(options: {
    database: ApimCredentialsDatabase;
  }): Promise<CellLocks> {
    return new CellLocks(options.database.client());
  }

  private constructor(private readonly knex: Knex) {}

  /**
   * Runs `fn` while holding the lock of one cell (entity x environment x key manager). The lock
   * is a row, so it works across replicas; it expires after `ttlMs` so a crashed holder cannot
   * block the cell for ever. Waits up to `waitMs` for a busy cell, then gives up with a 409.
   */
  async withCellLock<T>(
    cell: string,
    fn: () => Promise<T>,
    options: { ttlMs?: number; waitMs?: number } = {},
  ): Promise<T> {
    const lock = await this.acquireCellLock(cell, options);
    try {
      return await fn();
    } finally {
      await lock.release();
    }
  }

  /**
   * Takes the lock of one cell, waiting up to `waitMs` for a busy one (then a 409). The caller
   * must `release()` it; a holder that dies loses it after `ttlMs`.
   */
  async acquireCellLock(
    cell: string,
    options: { ttlMs?: number; waitMs?: number } = {},
  ): Promise<CellLock> {
    const ttlMs = options.ttlMs ?? 120_000;
    const deadline = Date.now() + (options.waitMs ?? 60_000);
    const owner = randomUUID();
    let delay = 10;
    for (;;) {
      if (await this.tryLock(cell, owner, ttlMs)) break;
      if (Date.now() > deadline) {
        throw new ConflictError(
          'Another provisioning of this environment and key manager is still in progress; try again in a minute',
        );
      }
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 200);
    }
    return {
      release: async () => {
        await this.knex(LOCKS).where({ cell, owner }).delete();
      },
    };
  }

  private async tryLock(
    cell: string,
    owner: string,
    ttlMs: number,
  ): Promise<boolean> {
    const now = Date.now();
    try {
      await this.knex<DbCellLockRow>(LOCKS).insert({
        cell,
        owner,
        expires_at: now + ttlMs,
      });
      return true;
    } catch (error) {
      if (!isDatabaseConflictError(error)) throw error;
    }
    // Take over a lock whose holder died without releasing it.
    const taken = await this.knex(LOCKS)
      .where({ cell })
      .andWhere('expires_at', '<', now)
      .update({ owner, expires_at: now + ttlMs });
    return taken === 1;
  }
}
