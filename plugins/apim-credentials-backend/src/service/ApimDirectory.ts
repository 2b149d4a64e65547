/**
 * Short-lived caches in front of the two API-M reads every request needs: an instance's key
 * managers and an entity's application id. They change rarely, and caching them keeps a
 * provisioning at one API-M call (map-keys) in the common case. A stale application id is
 * noticed by the 404 it causes and dropped by the caller.
 */
import { ApimClient } from '../apim/ApimClient';
import { ApimError } from '../apim/ApimError';
import type {
  ApimApplication,
  ApimApplicationKey,
  ApimKeyManager,
} from '../apim/types';

interface Entry<T> {
  value: Promise<T>;
  expiresAt: number;
  loadedAt: number;
  settled?: boolean;
}

export class ApimDirectory {
  private readonly keyManagers = new Map<string, Entry<ApimKeyManager[]>>();
  private readonly applications = new Map<
    string,
    Entry<ApimApplication | undefined>
  >();

  constructor(
    private readonly options: {
      keyManagerTtlMs?: number;
      applicationTtlMs?: number;
    } = {},
    private readonly now: () => number = Date.now,
  ) {}

  listKeyManagers(client: ApimClient): Promise<ApimKeyManager[]> {
    return this.cached(
      this.keyManagers,
      client.instanceId,
      this.options.keyManagerTtlMs ?? 30_000,
      () => client.listKeyManagers(),
    );
  }

  /**
   * Reloads an instance's key managers for an answer that says one is missing or disabled
   * (ours, or WSO2's 901403, CONTRACT.md 6.5): after an admin enables a key manager the cached
   * listing would keep saying "disabled" for its whole TTL. Concurrent callers share one reload,
   * and a listing younger than `minAgeMs` is kept (so bad input cannot defeat the cache).
   */
  refreshKeyManagers(
    client: ApimClient,
    minAgeMs = 0,
  ): Promise<ApimKeyManager[]> {
    const hit = this.keyManagers.get(client.instanceId);
    if (hit && (!hit.settled || this.now() - hit.loadedAt < minAgeMs)) {
      return hit.value;
    }
    this.keyManagers.delete(client.instanceId);
    return this.listKeyManagers(client);
  }

  findApplication(
    client: ApimClient,
    name: string,
  ): Promise<ApimApplication | undefined> {
    return this.cached(
      this.applications,
      `${client.instanceId}\u0000${name}`,
      this.options.applicationTtlMs ?? 300_000,
      () => client.findApplicationByName(name),
      // "Not there yet" is not cached: another replica may create it any moment.
      value => value !== undefined,
    );
  }

  /**
   * What `findApplication` would answer from its cache, or undefined where it would ask API-M:
   * for reading ahead on what only the cache can tell (ApplicationBindings.readAhead).
   */
  cachedApplication(
    client: ApimClient,
    name: string,
  ): Promise<ApimApplication | undefined> | undefined {
    const hit = this.applications.get(`${client.instanceId}\u0000${name}`);
    return hit?.settled && hit.expiresAt > this.now() ? hit.value : undefined;
  }

  /** The application's keys; a 404 (deleted since its id was cached) looks the name up again. */
  async listKeys(
    client: ApimClient,
    app: ApimApplication,
  ): Promise<ApimApplicationKey[]> {
    try {
      return await client.listOAuthKeys(app.applicationId);
    } catch (error) {
      if (error instanceof ApimError && error.is(404)) {
        this.forgetApplication(client, app.name);
        const fresh = await this.findApplication(client, app.name);
        return fresh ? client.listOAuthKeys(fresh.applicationId) : [];
      }
      throw error;
    }
  }

  rememberApplication(client: ApimClient, app: ApimApplication): void {
    this.applications.set(`${client.instanceId}\u0000${app.name}`, {
      value: Promise.resolve(app),
      expiresAt: this.now() + (this.options.applicationTtlMs ?? 300_000),
      loadedAt: this.now(),
      settled: true,
    });
  }

  forgetApplication(client: ApimClient, name: string): void {
    this.applications.delete(`${client.instanceId}\u0000${name}`);
  }

  private cached<T>(
    map: Map<string, Entry<T>>,
    key: string,
    ttlMs: number,
    load: () => Promise<T>,
    keep: (value: T) => boolean = () => true,
  ): Promise<T> {
    const hit = map.get(key);
    if (hit && hit.expiresAt > this.now()) return hit.value;
    // Concurrent callers share one load; a failed or unwanted result is not kept.
    const value = load();
    const entry: Entry<T> = {
      value,
      expiresAt: this.now() + ttlMs,
      loadedAt: this.now(),
    };
    map.set(key, entry);
    value.then(
      v => {
        entry.settled = true;
        if (!keep(v) && map.get(key) === entry) map.delete(key);
      },
      () => {
        if (map.get(key) === entry) map.delete(key);
      },
    );
    return value;
  }
}
