/**
 * What one request costs besides API-M: the database statements the plugin's knex client runs
 * and the calls it makes to the catalog and the permission framework (HTTP calls to other
 * backend plugins in a real deployment, in-process mocks here), recorded with their start and
 * end so that the benchmark can tell sequential round trips from concurrent ones.
 *
 * A "sequential round trip" is a call that starts while no other call of its kind is in flight:
 * two statements sent together (Promise.all) are one round trip, the same two awaited one after
 * the other are two.
 */
import type { Knex } from 'knex';
import { now, round } from './common';

/** One recorded call: a database statement, a catalog read or a permission decision. */
export interface RecordedCall {
  kind: 'db' | 'catalog' | 'permissions';
  /** The statement (without bindings) or the method called. */
  what: string;
  startMs: number;
  endMs?: number;
  /** Whether the kind had no call in flight when this one started. */
  sequential: boolean;
  /** A statement the request does not wait for (the recorder's `offPath` patterns). */
  offPath?: boolean;
}

/** The calls of one window (one request), summed up. */
export interface CallCounts {
  dbStatements: number;
  /** Statements that started with none in flight. */
  dbRoundTrips: number;
  /** Of those, statements that the request does not wait for (see `offPath`). */
  dbRoundTripsOffPath: number;
  catalogCalls: number;
  permissionCalls: number;
  /** Internal HTTP calls in a real deployment (catalog + permissions) that start with none in flight. */
  internalRoundTrips: number;
  /** Milliseconds with at least one statement in flight (those before the answer). */
  dbBusyMs: number;
}

/** Knex client prototypes whose `query` is wrapped, and the recorder of each knex's config. */
const WRAPPED = new WeakSet<object>();
const RECORDERS = new WeakMap<object, CallRecorder>();

export class CallRecorder {
  private calls: RecordedCall[] = [];
  private readonly inFlight = { db: 0, catalog: 0, permissions: 0 };

  /**
   * @param offPath statements the request starts but does not wait for (e.g. the cell lock's
   *   release after the answer, ProvisioningService.provision), matched on their SQL
   */
  constructor(private readonly offPath: RegExp[] = []) {}

  /**
   * Records every statement `knex` sends, transactions' BEGIN and COMMIT included (knex emits
   * no 'query-response' for those, so its events cannot time them): the dialect's
   * `Client.prototype.query`, which every statement goes through, is wrapped once, and a call is
   * recorded here when it comes from this knex instance or one of its transactions (they share
   * the instance's `config` object).
   */
  attachKnex(knex: Knex): this {
    const proto = Object.getPrototypeOf(knex.client) as {
      query: (conn: unknown, q: unknown) => Promise<unknown>;
    };
    if (!WRAPPED.has(proto)) {
      WRAPPED.add(proto);
      const original = proto.query;
      proto.query = function wrapped(
        this: { config: object },
        conn: unknown,
        q: unknown,
      ) {
        const recorder = RECORDERS.get(this.config);
        if (!recorder) return original.call(this, conn, q);
        const sql =
          typeof q === 'string' ? q : (q as { sql?: string })?.sql ?? '?';
        const call = recorder.begin('db', sql);
        return original
          .call(this, conn, q)
          .finally(() => recorder.finish(call));
      };
    }
    RECORDERS.set(knex.client.config, this);
    return this;
  }

  /** A proxy of `service` whose method calls are recorded as `kind`. */
  wrap<T extends object>(kind: 'catalog' | 'permissions', service: T): T {
    return new Proxy(service, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const call = this.begin(kind, String(prop));
          const result = value.apply(target, args);
          if (result && typeof (result as Promise<unknown>).then === 'function')
            return (result as Promise<unknown>).finally(() =>
              this.finish(call),
            );
          this.finish(call);
          return result;
        };
      },
    });
  }

  /** Starts a window: returns the calls made since, summed, when called. */
  window(): () => { counts: CallCounts; calls: RecordedCall[] } {
    const from = this.calls.length;
    const origin = now();
    return () => {
      const calls = this.calls.slice(from).map(c => ({
        ...c,
        startMs: round(c.startMs - origin),
        endMs: c.endMs === undefined ? undefined : round(c.endMs - origin),
      }));
      return { counts: this.count(calls), calls };
    };
  }

  /** Waits until no recorded call is in flight (e.g. the lock release after an answer). */
  async settled(timeoutMs = 2000): Promise<void> {
    const deadline = now() + timeoutMs;
    while (
      (this.inFlight.db ||
        this.inFlight.catalog ||
        this.inFlight.permissions) &&
      now() < deadline
    )
      await new Promise(r => setTimeout(r, 1));
  }

  private count(calls: RecordedCall[]): CallCounts {
    const db = calls.filter(c => c.kind === 'db');
    const offPath = (c: RecordedCall) => c.offPath === true;
    const internal = calls.filter(c => c.kind !== 'db');
    // Internal calls: sequential across both kinds (a catalog read and a permission decision
    // made together are one wait).
    let internalRoundTrips = 0;
    let busyUntil = -Infinity;
    for (const c of [...internal].sort((a, b) => a.startMs - b.startMs)) {
      if (c.startMs >= busyUntil) internalRoundTrips++;
      busyUntil = Math.max(busyUntil, c.endMs ?? Infinity);
    }
    // The union of the statements' intervals: the time the request spent waiting for the database.
    let dbBusyMs = 0;
    let openUntil = -Infinity;
    for (const c of db
      .filter(x => !offPath(x))
      .sort((a, b) => a.startMs - b.startMs)) {
      const end = c.endMs ?? c.startMs;
      if (end <= openUntil) continue;
      dbBusyMs += end - Math.max(c.startMs, openUntil);
      openUntil = end;
    }
    return {
      dbBusyMs: round(dbBusyMs),
      dbStatements: db.length,
      dbRoundTrips: db.filter(c => c.sequential && !offPath(c)).length,
      dbRoundTripsOffPath: db.filter(c => c.sequential && offPath(c)).length,
      catalogCalls: calls.filter(c => c.kind === 'catalog').length,
      permissionCalls: calls.filter(c => c.kind === 'permissions').length,
      internalRoundTrips,
    };
  }

  /** @internal */
  begin(kind: RecordedCall['kind'], what: string): RecordedCall {
    const text = what.replace(/\s+/g, ' ');
    const call: RecordedCall = {
      kind,
      what: text.slice(0, 160),
      offPath: kind === 'db' && this.offPath.some(re => re.test(text)),
      startMs: now(),
      sequential: this.inFlight[kind] === 0,
    };
    this.inFlight[kind]++;
    this.calls.push(call);
    return call;
  }

  /** @internal */
  finish(call: RecordedCall) {
    if (call.endMs !== undefined) return;
    call.endMs = now();
    this.inFlight[call.kind]--;
  }
}
