/**
 * The configured API-M instances and their clients: the one place that answers "which client
 * talks to this environment's instance", instead of `Map.get(...)!` at every call site.
 */
import type { InstanceConfig } from '../config';
import { ApimClient } from './ApimClient';

/**
 * An environment names an instance that has no client. The configuration reader refuses such
 * a configuration at start-up, so this is a programming error: a 500 with code `INTERNAL`.
 */
export class InstanceNotConfiguredError extends Error {
  name = 'InstanceNotConfiguredError' as const;
  readonly code = 'INTERNAL' as const;
  constructor(instanceId: string, configured: readonly string[]) {
    super(
      `API-M instance "${instanceId}" is not configured; apimCredentials.instances has ${
        configured.join(', ') || 'none'
      }`,
    );
  }
}

export class ApimInstances {
  private constructor(private readonly clients: Map<string, ApimClient>) {}

  /** One client (with its own HTTP connection pool) per configured instance. */
  static create(instances: readonly InstanceConfig[]): ApimInstances {
    return new ApimInstances(
      new Map(instances.map(i => [i.id, ApimClient.create(i)])),
    );
  }

  /** Instances over existing clients, keyed by their `instanceId` (tests, the bench). */
  static of(clients: Iterable<ApimClient>): ApimInstances {
    return new ApimInstances(new Map([...clients].map(c => [c.instanceId, c])));
  }

  /**
   * The client of the environment's instance.
   *
   * @throws InstanceNotConfiguredError (500 `INTERNAL`) for an instance without a client
   */
  clientFor(environment: { instance: string }): ApimClient {
    return this.client(environment.instance);
  }

  /** The client of instance `id`; @throws InstanceNotConfiguredError when there is none. */
  client(id: string): ApimClient {
    const client = this.clients.get(id);
    if (!client) throw new InstanceNotConfiguredError(id, this.ids());
    return client;
  }

  has(id: string): boolean {
    return this.clients.has(id);
  }

  ids(): string[] {
    return [...this.clients.keys()];
  }

  /** Every instance id with its client, in configuration order. */
  entries(): Array<[string, ApimClient]> {
    return [...this.clients.entries()];
  }

  /** Closes every client's HTTP connection pool (the plugin's shutdown hook). */
  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map(c => c.close()));
  }
}
