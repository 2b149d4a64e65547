/**
 * Knex access to `apim_credentials_bindings`: which catalog entity an API-M application belongs
 * to, per instance (issue 10, item 1; migration 20261130120000). The table is unique on the
 * application id and on the name as WSO2 compares names (case-insensitively, CONTRACT.md 14.1),
 * so two entities can never both hold one application, whatever their annotations say.
 */
import { Knex } from 'knex';
import { isDatabaseConflictError } from '@backstage/backend-plugin-api';
import type {
  ApplicationBinding,
  BindingOrigin,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { BindingConflictError } from '../service/bindingErrors';
import type { ApimCredentialsDatabase } from './ApimCredentialsDatabase';
import { Timestamps } from './timestamps';

const BINDINGS = 'apim_credentials_bindings';
const MAPPINGS = 'apim_credentials_mappings';

/** A row of `apim_credentials_bindings` as the database returns it. */
export interface BindingRow {
  id: number | string;
  instance: string;
  application_id: string;
  application_name: string;
  application_name_key: string;
  entity_ref: string;
  origin: BindingOrigin;
  bound_by: string;
  bound_at: Date | string | number;
  /** `bound_at` as full-precision UTC text (Timestamps.select), when read by this store. */
  bound_at_utc?: Date | string | number;
}

/** What a new binding says: an ApplicationBinding (-common) without `boundAt` (the store's now). */
export type BindingInsert = Omit<ApplicationBinding, 'boundAt'>;

/**
 * The key WSO2 compares application names by: its duplicate check on create is
 * case-insensitive in every release (CONTRACT.md 4.2, 14.1).
 */
export function applicationNameKey(name: string): string {
  return name.toLowerCase();
}

export class ApplicationBindingStore {
  /** The bindings table of a migrated database (ApimCredentialsDatabase). */
  static async create(options: {
    database: ApimCredentialsDatabase;
  }): Promise<ApplicationBindingStore> {
    return new ApplicationBindingStore(options.database.client());
  }

  /** `bound_at` is DATETIME(6) holding UTC on MySQL (migration 20261205100000). */
  private readonly time: Timestamps;

  private constructor(private readonly knex: Knex) {
    this.time = new Timestamps(knex);
  }

  /** Binding rows with `bound_at` as UTC text, whatever the session's time zone. */
  private rows(db: Knex = this.knex) {
    return db<BindingRow>(BINDINGS).select(
      `${BINDINGS}.*`,
      this.time.select('bound_at', 'bound_at_utc'),
    );
  }

  /** The binding of the application with this id in `instance`, if any. */
  async getById(
    instance: string,
    applicationId: string,
  ): Promise<ApplicationBinding | undefined> {
    const row = await this.rows()
      .where({ instance, application_id: applicationId })
      .first();
    return row ? toBinding(row) : undefined;
  }

  /** The binding of the application named `name` (compared as WSO2 does) in `instance`. */
  async getByName(
    instance: string,
    name: string,
  ): Promise<ApplicationBinding | undefined> {
    const row = await this.rows()
      .where({ instance, application_name_key: applicationNameKey(name) })
      .first();
    return row ? toBinding(row) : undefined;
  }

  /**
   * The bindings of an application by its id and by its name, read in one statement: one
   * snapshot, so a binding another replica commits meanwhile is seen whole or not at all (a
   * reservation replaced by the application's id cannot look missing), and one round trip.
   * Without `applicationId` (API-M holds no such application), only by name.
   */
  async getByIdAndName(
    instance: string,
    applicationId: string | undefined,
    name: string,
  ): Promise<{ byId?: ApplicationBinding; byName?: ApplicationBinding }> {
    const nameKey = applicationNameKey(name);
    const rows = await this.rows()
      .where({ instance })
      .andWhere(q =>
        applicationId === undefined
          ? q.where({ application_name_key: nameKey })
          : q
              .where({ application_id: applicationId })
              .orWhere({ application_name_key: nameKey }),
      );
    const byId =
      applicationId === undefined
        ? undefined
        : rows.find(r => r.application_id === applicationId);
    const byName = rows.find(r => r.application_name_key === nameKey);
    return {
      ...(byId ? { byId: toBinding(byId) } : {}),
      ...(byName ? { byName: toBinding(byName) } : {}),
    };
  }

  /** Every binding, optionally of one entity or instance, ordered by instance and name. */
  async list(
    filter: { entityRef?: string; instance?: string } = {},
  ): Promise<ApplicationBinding[]> {
    const q = this.rows();
    if (filter.entityRef) q.where('entity_ref', filter.entityRef);
    if (filter.instance) q.where('instance', filter.instance);
    const rows = await q.orderBy([
      { column: 'instance' },
      { column: 'application_name_key' },
    ]);
    return rows.map(toBinding);
  }

  /** Which of the name keys (applicationNameKey) are bound in `instance`. */
  async boundNameKeys(instance: string, keys: string[]): Promise<Set<string>> {
    const bound = new Set<string>();
    for (let i = 0; i < keys.length; i += 500) {
      const rows: Array<{ application_name_key: string }> = await this.knex(
        BINDINGS,
      )
        .where({ instance })
        .whereIn('application_name_key', keys.slice(i, i + 500))
        .select('application_name_key');
      for (const r of rows) bound.add(r.application_name_key);
    }
    return bound;
  }

  /**
   * Binds an application to an entity. Idempotent for the same entity: a binding of that entity
   * under the same name but another id (the application was deleted and created again) is moved
   * to the new id. Throws ApplicationBoundElsewhereError (409 semantics: a conflict naming the
   * owner) when the id or the name is bound to another entity.
   */
  async bind(insert: BindingInsert): Promise<ApplicationBinding> {
    // A concurrent bind of the same entity (another replica finishing the same creation) makes
    // the unique keys fire; one retry sees its row. PostgreSQL aborts the whole transaction on a
    // violation, so the retry is a new transaction.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.knex.transaction(tx => this.bindIn(tx, insert));
      } catch (error) {
        if (!isDatabaseConflictError(error) || attempt > 0) throw error;
      }
    }
  }

  private rowsFor(db: Knex, insert: BindingInsert) {
    return this.rows(db)
      .where({ instance: insert.instance })
      .andWhere(q =>
        q.where({ application_id: insert.applicationId }).orWhere({
          application_name_key: applicationNameKey(insert.applicationName),
        }),
      );
  }

  private async bindIn(
    tx: Knex.Transaction,
    insert: BindingInsert,
  ): Promise<ApplicationBinding> {
    const rows = await this.rowsFor(tx, insert);
    const foreign = rows.find(r => r.entity_ref !== insert.entityRef);
    if (foreign) {
      throw new BindingConflictError(
        insert.applicationName,
        foreign.entity_ref,
        insert.instance,
      );
    }
    const same = rows.find(r => r.application_id === insert.applicationId);
    if (same && rows.length === 1) return toBinding(same);
    // Rows of this entity under this name with another id (a reservation, or an application
    // deleted and created again) make way for the new one.
    if (rows.length) {
      await tx(BINDINGS)
        .whereIn(
          'id',
          rows.map(r => r.id),
        )
        .delete();
    }
    await tx(BINDINGS).insert({
      instance: insert.instance,
      application_id: insert.applicationId,
      application_name: insert.applicationName,
      application_name_key: applicationNameKey(insert.applicationName),
      entity_ref: insert.entityRef,
      origin: insert.origin,
      bound_by: insert.boundBy,
      bound_at: this.time.value(new Date()),
    });
    const created = await this.rows(tx)
      .where({
        instance: insert.instance,
        application_id: insert.applicationId,
      })
      .first();
    return toBinding(created!);
  }

  /** Removes the binding of one application; returns what was removed. */
  async unbind(
    instance: string,
    applicationId: string,
  ): Promise<ApplicationBinding | undefined> {
    const existing = await this.getById(instance, applicationId);
    if (existing) {
      await this.knex(BINDINGS)
        .where({ instance, application_id: applicationId })
        .delete();
    }
    return existing;
  }

  /**
   * Entities whose bound applications hold `consumerKey` according to the recorded mappings:
   * the owners a verification of that client would tell something about (issue 10, item 3).
   */
  async entitiesMappingConsumerKey(consumerKey: string): Promise<string[]> {
    const rows: Array<{ entity_ref: string; mapped_for: string }> =
      await this.knex(`${MAPPINGS} as m`)
        .leftJoin(`${BINDINGS} as b`, function joinOn() {
          this.on('b.instance', '=', 'm.instance').andOn(
            'b.application_id',
            '=',
            'm.application_id',
          );
        })
        .where('m.consumer_key', consumerKey)
        .select('b.entity_ref as entity_ref', 'm.entity_ref as mapped_for');
    return [
      ...new Set(
        rows.flatMap(r => [r.entity_ref, r.mapped_for]).filter(Boolean),
      ),
    ];
  }
}

function toBinding(row: BindingRow): ApplicationBinding {
  const value = row.bound_at_utc ?? row.bound_at;
  const boundAt =
    value instanceof Date
      ? value
      : new Date(
          typeof value === 'string' && /^\d+$/.test(value)
            ? Number(value)
            : value,
        );
  return {
    instance: row.instance,
    applicationId: row.application_id,
    applicationName: row.application_name,
    entityRef: row.entity_ref,
    origin: row.origin,
    boundBy: row.bound_by,
    boundAt: boundAt.toISOString(),
  };
}
