/**
 * How hard one run of the reconcile job may press one API-M instance (issue 11, scale of the
 * drift job): at most `maxConcurrency` calls in flight, requests spaced at least
 * `1000 / maxRequestsPerSecond` ms apart where they are sent, with a 5% margin (so no one-second
 * window holds more than the cap), and a
 * circuit: after `skipAfterFailures` consecutive faults the instance is skipped for the rest of
 * the run, so a failing API-M is not hammered and the run still ends within its period.
 *
 * Hand-written rather than Bottleneck/p-queue: neither is a dependency of this package, and the
 * whole of it is a queue, a counter and a timestamp.
 */
import { ApimError } from '../../apim/ApimError';

/** Thrown instead of calling an instance whose circuit is open this run. */
export class InstanceSkippedError extends Error {
  name = 'InstanceSkippedError' as const;
  readonly code = 'APIM_INSTANCE_SKIPPED' as const;
  constructor(readonly instanceId: string, readonly lastError: unknown) {
    super(
      `API-M instance "${instanceId}" is skipped for the rest of this reconcile run after consecutive failures (last: ${
        (lastError as Error)?.message ?? String(lastError)
      })`,
    );
  }
}

/**
 * Whether an error says API-M (or the way to it) is failing, as opposed to an answer about the
 * thing asked for: 4xx answers are answers; 5xx, timeouts, unreachable and garbage are faults.
 */
export function isInstanceFault(error: unknown): boolean {
  if (!(error instanceof ApimError)) return true;
  if (error.kind !== 'http') return true;
  return (error.upstreamStatus ?? 500) >= 500;
}

export interface InstanceGateOptions {
  instanceId: string;
  maxConcurrency: number;
  maxRequestsPerSecond: number;
  skipAfterFailures: number;
  /** Called once, when the circuit opens. */
  onSkip?: (error: InstanceSkippedError) => void;
  /** For tests. */
  clock?: () => number;
}

export class InstanceGate {
  private inFlight = 0;
  private lastStart = -Infinity;
  private tail: Promise<void> = Promise.resolve();
  private readonly waiting: Array<() => void> = [];
  private failures = 0;
  private skipped?: InstanceSkippedError;
  private readonly spacingMs: number;
  private readonly clock: () => number;

  constructor(private readonly options: InstanceGateOptions) {
    // 5% over the exact spacing: between the pace and the request leaving the HTTP client lies
    // a little event-loop jitter, which must not put one request more into a second.
    this.spacingMs = (1000 / options.maxRequestsPerSecond) * 1.05;
    this.clock = options.clock ?? Date.now;
  }

  /** Whether the circuit opened this run. */
  get isSkipped(): boolean {
    return this.skipped !== undefined;
  }

  /**
   * Runs one API-M call under the concurrency cap and the circuit. Rejects with
   * {@link InstanceSkippedError} (without calling) once the circuit is open. The rate cap is
   * {@link InstanceGate.pace}, which the call's HTTP requests wait for as they are sent.
   *
   * @param expected - errors that are answers for this call, not faults (e.g. the single-mapping
   *   read's 500/500 for an unknown mapping, CONTRACT.md 7.2, 14.1)
   */
  async call<T>(
    fn: () => Promise<T>,
    expected: (error: unknown) => boolean = () => false,
  ): Promise<T> {
    await this.acquire();
    try {
      if (this.skipped) throw this.skipped;
      const result = await fn();
      this.failures = 0;
      return result;
    } catch (error) {
      if (error instanceof InstanceSkippedError) throw error;
      if (!expected(error) && isInstanceFault(error)) this.fault(error);
      else this.failures = 0;
      throw error;
    } finally {
      this.release();
    }
  }

  private fault(error: unknown) {
    this.failures += 1;
    if (!this.skipped && this.failures >= this.options.skipAfterFailures) {
      this.skipped = new InstanceSkippedError(this.options.instanceId, error);
      this.options.onSkip?.(this.skipped);
    }
  }

  private async acquire() {
    if (this.inFlight >= this.options.maxConcurrency) {
      await new Promise<void>(resolve => this.waiting.push(resolve));
    } else {
      this.inFlight += 1;
    }
  }

  /**
   * Resolves when the next request may be sent: requests are spaced at least
   * `1000 / maxRequestsPerSecond` ms apart, measured where they are sent (apim/HttpTransport.ts
   * `pacedTransport`), so no one-second window holds more than the cap.
   */
  readonly pace = async (): Promise<void> => {
    // Spaced from the previous real start, one after another: slots reserved ahead would fire
    // together after the event loop stalled, bursting over the cap.
    const turn = this.tail.then(async () => {
      for (;;) {
        const wait = this.lastStart + this.spacingMs - this.clock();
        if (wait <= 0) break;
        await new Promise(r => setTimeout(r, Math.ceil(wait)));
      }
      this.lastStart = this.clock();
    });
    this.tail = turn;
    await turn;
  };

  private release() {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so inFlight stays the same.
    if (next) next();
    else this.inFlight -= 1;
  }
}
