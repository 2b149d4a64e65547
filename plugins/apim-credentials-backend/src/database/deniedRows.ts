/**
 * Coalescing repeated denials (issue 10 item 5; migration 20261207100000): a `denied` row that
 * repeats one written within {@link DENIED_COALESCE_WINDOW_SECONDS} (same actor, entity, action,
 * environment, key type, key manager, consumer key, source, dry-run flag and error code) does not
 * add a row;
 * the earlier row's `attempts` goes up by one, its `finished_at` becomes the latest denial's time
 * and its message the latest one's. So an actor's retries cannot push an entity's real history
 * off the first page; distinct denials are still capped by the denied-row gate
 * (service/attemptLimits.ts). Two replicas denying at the same instant may each write a row: the
 * count is a floor, never a loss.
 */
import { Knex } from 'knex';
import type { AuditCompletion, AuditStart } from './AuditStore';
import { canonicalRef, canonicalRefOrNull } from './canonicalRef';
import type { Timestamps } from './timestamps';

/** How long a denied row keeps absorbing repeats of itself. */
export const DENIED_COALESCE_WINDOW_SECONDS = 3600;

const AUDIT = 'apim_credentials_audit';

/** The columns that make two denials "the same", as stored (entity refs canonical). */
export interface DeniedRowKey {
  actor: string;
  source: string;
  action: string;
  entity_ref: string | null;
  environment: string | null;
  key_type: string | null;
  key_manager: string | null;
  consumer_key: string | null;
  /** A subscription denial is about one API: denials of different APIs stay apart. */
  api_ref: string | null;
  error_code: string | null;
  dry_run: boolean;
}

/** The key columns of a denial, as the audit store writes them. */
export function deniedRowKey(
  start: AuditStart,
  completion: AuditCompletion,
): DeniedRowKey {
  return {
    actor: canonicalRef(start.actor),
    source: start.source,
    action: start.action,
    entity_ref: canonicalRefOrNull(start.entityRef),
    environment: start.environment ?? null,
    key_type: start.keyType ?? null,
    key_manager: start.keyManager ?? null,
    consumer_key: start.consumerKey ?? null,
    api_ref: start.apiRef ?? null,
    error_code: completion.errorCode ?? null,
    dry_run: start.dryRun === true,
  };
}

/**
 * Folds a denial into the matching denied row of the window, if there is one.
 *
 * @returns the id of the row that now counts this denial; undefined: none matched, write a row
 */
export async function coalesceDeniedRow(
  knex: Knex,
  time: Timestamps,
  start: AuditStart,
  completion: AuditCompletion,
  now = new Date(),
): Promise<string | undefined> {
  const row = deniedRowKey(start, completion);
  const since = new Date(now.getTime() - DENIED_COALESCE_WINDOW_SECONDS * 1000);
  const q = knex(AUDIT)
    .where('outcome', 'denied')
    .andWhere('started_at', '>=', time.value(since));
  const key: Array<keyof DeniedRowKey> = [
    'actor',
    'source',
    'action',
    'entity_ref',
    'environment',
    'key_type',
    'key_manager',
    'consumer_key',
    'api_ref',
    'error_code',
  ];
  for (const column of key) {
    const value = row[column];
    if (value === null || value === undefined) q.whereNull(column);
    else q.where(column, value);
  }
  q.where('dry_run', row.dry_run === true);
  const existing: { id: string } | undefined = await q
    .orderBy('started_at', 'desc')
    .first('id');
  if (!existing) return undefined;
  await knex(AUDIT)
    .where({ id: existing.id })
    .update({
      attempts: knex.raw('attempts + 1'),
      finished_at: time.value(now),
      error_message: completion.errorMessage?.slice(0, 2000) ?? null,
    });
  return existing.id;
}
