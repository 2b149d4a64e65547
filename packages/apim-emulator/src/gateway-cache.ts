/**
 * The gateway's view of key mappings: a cache fed by API-M's events, not a read of the database.
 * map-keys publishes APPLICATION_REGISTRATION_CREATE (CONTRACT 6.2 step 11) and DELETE oauth-keys
 * publishes REMOVE_APPLICATION_KEYMAPPING (CONTRACT 9.2, 14.2.4); clean-up publishes nothing
 * (CONTRACT 9.1, 14.2.4), so after a clean-up the gateway keeps accepting the removed client's
 * tokens until it restarts or resyncs (`clear()`, the control API's `POST /gateway/resync`).
 */
import type { Store } from './state';

export interface GatewayKey {
  applicationId: string;
  keyType: 'PRODUCTION' | 'SANDBOX';
}

export class GatewayKeyCache {
  /** `${kmId} ${consumerKey}` -> application and key type (PROD_ONLY_BLOCKED needs the latter, CONTRACT 11). */
  private readonly entries = new Map<string, GatewayKey>();

  constructor(private readonly store: Store) {}

  private static key(keyManagerId: string, consumerKey: string) {
    return `${keyManagerId} ${consumerKey}`;
  }

  /** APPLICATION_REGISTRATION_CREATE (CONTRACT 6.2 step 11). */
  registered(m: {
    keyManagerId: string;
    consumerKey: string;
    applicationId: string;
    keyType: GatewayKey['keyType'];
  }): void {
    this.entries.set(GatewayKeyCache.key(m.keyManagerId, m.consumerKey), {
      applicationId: m.applicationId,
      keyType: m.keyType,
    });
  }

  /** REMOVE_APPLICATION_KEYMAPPING (CONTRACT 9.2, 14.2.4). */
  removed(m: { keyManagerId: string; consumerKey: string }): void {
    this.entries.delete(GatewayKeyCache.key(m.keyManagerId, m.consumerKey));
  }

  /** Application deletion tells the gateways too (CONTRACT 4.2): its mappings go. */
  applicationRemoved(applicationId: string): void {
    for (const [k, v] of this.entries) {
      if (v.applicationId === applicationId) this.entries.delete(k);
    }
  }

  /**
   * The application a client's token belongs to, as the gateway sees it. A miss reads API-M's
   * mapping rows (what a restarted or resynced gateway loads), so a mapping whose create event
   * was never sent (a map-keys that failed after the insert) is still served.
   */
  resolve(keyManagerIds: string[], consumerKey: string): string | undefined {
    return this.resolveKey(keyManagerIds, consumerKey)?.applicationId;
  }

  /** As `resolve`, with the key type the client is mapped as. */
  resolveKey(
    keyManagerIds: string[],
    consumerKey: string,
  ): GatewayKey | undefined {
    for (const kmId of keyManagerIds) {
      const hit = this.entries.get(GatewayKeyCache.key(kmId, consumerKey));
      if (hit) return hit;
    }
    const row = this.store.keyMappings.find(
      m =>
        keyManagerIds.includes(m.keyManagerId) && m.consumerKey === consumerKey,
    );
    if (!row) return undefined;
    this.registered(row);
    return { applicationId: row.applicationId, keyType: row.keyType };
  }

  /** Gateway restart or resync: forget everything, reload on demand. */
  clear(): void {
    this.entries.clear();
  }
}
