/**
 * The audit trail: the one object that writes audit rows. An attempt's row is written `pending`
 * before API-M is called and completed after, so that an attempt that never finishes is still
 * visible (and resolved by the reconcile job); a denied or pre-checked attempt is one finished
 * row. A mapping change and the row that records it are written in one database transaction,
 * so the mapping table never says what the audit trail does not (issue 9, "one audit trail").
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type { EnvironmentConfig } from '../config';
import type { AuditCompletion, AuditStart } from '../database/AuditStore';
import type { MappingCell, MappingUpsert } from '../database/MappingStore';
import type { ApimCredentialsStores } from '../database/stores';
import { canonicalRefOrNull } from '../database/canonicalRef';
import type {
  AuditedChange,
  OwnerNotifier,
} from '../notifications/ownerNotifications';
import { isBindingDenial } from './bindingErrors';
import type { Caller } from './provisioningTypes';
import { translateError } from './translateError';

/** What an audit row says about the cell an attempt is about. */
export interface AuditSubject {
  entityRef?: string;
  applicationName?: string;
  keyManager?: string;
  consumerKey?: string;
}

/** The mapping-table change an attempt made: a mapping recorded, or a cell's mapping removed. */
export type MappingChange = { record: MappingUpsert } | { remove: MappingCell };

/** Why an attempt was refused before it started: a stable code (default `PERMISSION_DENIED`). */
export interface Denial {
  code?: string;
  message: string;
}

/** The fields a row takes from its caller: who, through which path, in which request. */
type CallerFields =
  | 'action'
  | 'actor'
  | 'source'
  | 'via'
  | 'taskId'
  | 'requestId';

/** A row's start: `action` by `caller`, about what `fields` name. */
export function auditStart(
  action: AuditStart['action'],
  caller: Caller,
  fields: Omit<AuditStart, CallerFields>,
): AuditStart {
  return {
    action,
    actor: caller.userEntityRef,
    source: caller.source,
    via: caller.via,
    taskId: caller.taskId,
    requestId: caller.requestId,
    ...fields,
  };
}

/** How many started rows the trail remembers for their completion's notice (see `open`). */
const OPEN_ROWS_CAP = 10_000;

export class AuditTrail {
  /**
   * Rows begun here and not completed yet, with their start: the owners' notice of a completed
   * change is built from it and the completion, without reading the row back (issue 9,
   * "Performance": nothing but the writes around the API-M call). Bounded: beyond
   * OPEN_ROWS_CAP the oldest are forgotten, and their notice reads the row.
   */
  private readonly open = new Map<string, AuditStart>();

  constructor(
    private readonly deps: {
      stores: Pick<
        ApimCredentialsStores,
        'audit' | 'transaction' | 'completeWithUpsert'
      >;
      logger: LoggerService;
      /** Tells an entity's owners about changes to its mappings (issue 14 item 2). */
      notifier?: Pick<OwnerNotifier, 'changed'>;
    },
  ) {}

  /**
   * Notifies the owners of the entity whose mapping the row `auditId` changed: `completed` is the
   * row as written, or undefined to read it. Off the critical path: the change is done and
   * audited, and a slow or failing notification service must not delay or fail the answer. It
   * starts once the current turn's callbacks are done (setImmediate), so that the caller's
   * answer, written in that turn, leaves before the notice's request is built and sent.
   */
  notify(auditId: string | undefined, completed?: AuditedChange): void {
    const { notifier, stores, logger } = this.deps;
    if (!notifier || !auditId) return;
    setImmediate(() =>
      (completed ? Promise.resolve(completed) : stores.audit.getAudit(auditId))
        .then(row => (row ? notifier.changed(row) : undefined))
        .catch(error =>
          logger.warn(`Could not notify about audit row ${auditId}: ${error}`),
        ),
    );
  }

  /** The fields of a new row: the caller, the environment's instance and key type, the cell. */
  fields(
    action: AuditStart['action'],
    env: EnvironmentConfig,
    subject: AuditSubject,
    caller: Caller,
  ): AuditStart {
    return auditStart(action, caller, {
      entityRef: subject.entityRef,
      environment: env.id,
      instance: env.instance,
      keyType: env.keyType,
      keyManager: subject.keyManager,
      applicationName: subject.applicationName,
      consumerKey: subject.consumerKey,
    });
  }

  /** Writes a `pending` row for an attempt in `env` and returns its id. */
  start(
    action: AuditStart['action'],
    env: EnvironmentConfig,
    subject: AuditSubject,
    caller: Caller,
    extra: Partial<AuditStart> = {},
  ): Promise<string> {
    return this.begin({
      ...this.fields(action, env, subject, caller),
      ...extra,
    });
  }

  /** Writes a `pending` row with these fields and returns its id. */
  async begin(start: AuditStart): Promise<string> {
    const auditId = await this.deps.stores.audit.startAudit(start);
    if (this.open.size >= OPEN_ROWS_CAP) {
      this.open.delete(this.open.keys().next().value!);
    }
    this.open.set(auditId, { ...start });
    return auditId;
  }

  /**
   * Completes the row; a successful row takes a `resolution`/`note`, never an `errorCode`.
   * `notify`: the row records a change the entity's owners are told about (bind, unbind).
   */
  async complete(
    auditId: string,
    completion: AuditCompletion,
    options: { notify?: boolean } = {},
  ): Promise<void> {
    const start = this.takeOpen(auditId);
    await this.deps.stores.audit.completeAudit(auditId, completion);
    if (options.notify)
      this.notify(auditId, completedChange(start, completion));
  }

  /** The start of a row begun here, forgotten as its completion is written. */
  private takeOpen(auditId: string): AuditStart | undefined {
    const start = this.open.get(auditId);
    this.open.delete(auditId);
    return start;
  }

  /**
   * Completes the row and applies the mapping change in one transaction: both are written, or
   * neither is (the error is thrown, the row stays `pending` for the reconcile job).
   */
  async completeWithMapping(
    auditId: string,
    completion: AuditCompletion,
    change: MappingChange | undefined,
  ): Promise<void> {
    if (!change) {
      await this.complete(auditId, completion);
      return;
    }
    const start = this.takeOpen(auditId);
    if ('record' in change) {
      await this.deps.stores.completeWithUpsert(
        auditId,
        completion,
        change.record,
      );
    } else {
      await this.deps.stores.transaction(async tx => {
        await applyChange(tx.mappings, change);
        await tx.audit.completeAudit(auditId, completion);
      });
    }
    this.notify(auditId, completedChange(start, completion));
  }

  /**
   * Writes a finished attempt as one row and returns its id. A `denied` row passes the
   * denied-row gate (service/attemptLimits.ts) and may be dropped: `undefined` then. With `trx`
   * the row is written in that transaction, with the change it records (an approval request's,
   * service/approvals/ApprovalService.ts); never a `denied` row then (its gate counts outside).
   */
  record(
    start: AuditStart,
    completion: AuditCompletion,
    trx?: Knex.Transaction,
  ): Promise<string | undefined> {
    const { audit } = this.deps.stores;
    return (trx ? audit.within(trx) : audit).recordAudit(start, completion);
  }

  /** Writes a finished attempt and the mapping change it made in one transaction. */
  async recordWithMapping(
    start: AuditStart,
    completion: AuditCompletion,
    change: MappingChange,
  ): Promise<string | undefined> {
    const auditId = await this.deps.stores.transaction(async tx => {
      await applyChange(tx.mappings, change);
      return tx.audit.recordAudit(start, completion);
    });
    this.notify(auditId, completedChange(start, completion));
    return auditId;
  }

  /**
   * Records an attempt refused before it started (permission, rate limit, ...) as a `denied`
   * row with the refusal's code (default `PERMISSION_DENIED`) and message. Repeated denials may
   * be dropped by the denied-row gate (issue 10 item 5): returns the row's id or `undefined`.
   */
  deny(start: AuditStart, reason: Denial): Promise<string | undefined> {
    return this.record(start, {
      outcome: 'denied',
      errorCode: reason.code ?? 'PERMISSION_DENIED',
      errorMessage: reason.message,
    });
  }

  /**
   * Completes the row as failed (`denied` for a binding denial) and returns the error the
   * caller gets: translated for the instance, with the stable code the row records. A row that
   * cannot be completed is logged, not thrown: the reconcile job resolves rows left pending.
   */
  async fail(
    auditId: string,
    env: EnvironmentConfig,
    error: unknown,
  ): Promise<Error> {
    const { error: translated, code } = isBindingDenial(error)
      ? { error, code: error.code }
      : translateError(error, env.instance);
    try {
      await this.complete(auditId, {
        outcome: isBindingDenial(error) ? 'denied' : 'failed',
        errorCode: code,
        errorMessage: translated.message,
      });
    } catch (storeError) {
      this.deps.logger.error(
        `Could not complete audit row ${auditId}: ${storeError}`,
      );
    }
    return translated;
  }
}

/**
 * The row as its start and completion wrote it (refs canonical, as the store writes them), or
 * undefined when the start is not known here.
 */
function completedChange(
  start: AuditStart | undefined,
  completion: AuditCompletion,
): AuditedChange | undefined {
  if (!start) return undefined;
  // The store writes a completion's optional fields only when they hold something.
  const written = Object.fromEntries(
    Object.entries(completion).filter(
      ([, value]) => value !== undefined && value !== '',
    ),
  ) as AuditCompletion;
  return {
    ...start,
    ...written,
    actor: canonicalRefOrNull(start.actor) ?? start.actor,
    entityRef: canonicalRefOrNull(start.entityRef) ?? undefined,
  };
}

function applyChange(
  mappings: ApimCredentialsStores['mappings'],
  change: MappingChange,
): Promise<void> {
  return 'record' in change
    ? mappings.upsertMapping(change.record)
    : mappings.deleteMapping(change.remove);
}
