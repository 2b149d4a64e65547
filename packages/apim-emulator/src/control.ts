/** Client of the `/_emulator` control API over HTTPS (works for in-process and child emulators). */
import { httpRequest } from './https-client';
import type {
  EmulatorConfig,
  EmulatorStateSnapshot,
  EmulatorStats,
  FaultRule,
  KeyManagerOptions,
  KeyManagerPermissions,
  KeyManagerTransportFailure,
  StateKeyManager,
  SubscriptionStatus,
} from './types';

export interface KeyManagerPatch {
  /** Enabling a disabled KM starts `keyManagerLoadDelayMs` of 400/901403 on map-keys (CONTRACT 14.1). */
  enabled?: boolean;
  enableMapOAuthConsumerApps?: boolean;
  enableTokenGeneration?: boolean;
  enableOAuthAppCreation?: boolean;
  tokenType?: 'DIRECT' | 'EXCHANGED' | 'BOTH';
  /** Listed as enabled but not loaded (CONTRACT 14.1): true = permanently, ms = for that long, false = loaded. */
  notLoaded?: boolean | number;
  /** API-M cannot reach the KM (CONTRACT 14.1): map-keys 500/500 after a delay, key listing 500; null = reachable. */
  transportFailure?: KeyManagerTransportFailure | null;
  /** Role permissions: hide the KM from the listing from 4.3 on (CONTRACT 14.1). */
  permissions?: KeyManagerPermissions;
  /** Global KM: listed after tenant KMs from 4.3, absent on 4.2 (CONTRACT 14.3). */
  global?: boolean;
  /** Display token endpoint listed instead of the real one (CONTRACT 14.2.1); null clears it. */
  displayTokenEndpoint?: string | null;
}

/** Application statuses a test may set (CONTRACT 4.1, 14.2.2). */
export type ApplicationStatus = 'APPROVED' | 'CREATED' | 'REJECTED';

export class EmulatorControl {
  constructor(readonly baseUrl: string, private readonly ca?: string) {}

  private async call<T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> {
    const res = await httpRequest({
      url: `${this.baseUrl}/_emulator${path}`,
      method,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      ca: this.ca,
      timeoutMs: 15_000,
    });
    if (res.status >= 300) {
      throw new Error(
        `Emulator control ${method} ${path} failed: HTTP ${res.status} ${res.text}`,
      );
    }
    return (res.text ? JSON.parse(res.text) : undefined) as T;
  }

  /** Replaces all faults. */
  setFaults(faults: FaultRule[]): Promise<FaultRule[]> {
    return this.call('PUT', '/faults', faults);
  }
  clearFaults(): Promise<FaultRule[]> {
    return this.call('DELETE', '/faults');
  }
  /** Drops apps, mappings, subscriptions, DCR clients, tokens, faults, stats; restores config and KMs. */
  async reset(): Promise<void> {
    await this.call('POST', '/reset');
  }
  state(): Promise<EmulatorStateSnapshot> {
    return this.call('GET', '/state');
  }
  stats(): Promise<EmulatorStats> {
    return this.call('GET', '/stats');
  }
  patchKeyManager(
    name: string,
    patch: KeyManagerPatch,
  ): Promise<StateKeyManager> {
    return this.call(
      'PATCH',
      `/key-managers/${encodeURIComponent(name)}`,
      patch,
    );
  }
  /** Changes the runtime config, e.g. `{apimVersion: '4.2'}` to switch the release profile (CONTRACT 14.3). */
  setConfig(patch: Partial<EmulatorConfig>): Promise<EmulatorConfig> {
    return this.call('PUT', '/config', patch);
  }
  /** Registers a KM as an admin would; it is not loaded for `keyManagerLoadDelayMs` (CONTRACT 14.1). */
  addKeyManager(
    km: KeyManagerOptions &
      Pick<KeyManagerPatch, 'notLoaded' | 'transportFailure'>,
  ): Promise<StateKeyManager> {
    return this.call('POST', '/key-managers', km);
  }
  /** Approves or rejects an application pending approval (CONTRACT 14.2.2). */
  setApplicationStatus(
    applicationId: string,
    status: ApplicationStatus,
  ): Promise<{ applicationId: string; status: ApplicationStatus }> {
    return this.call(
      'PUT',
      `/applications/${encodeURIComponent(applicationId)}/status`,
      { status },
    );
  }
  /** Approves (UNBLOCKED) or rejects a subscription ON_HOLD, or blocks one as a publisher would (CONTRACT 11, 14.1). */
  setSubscriptionStatus(
    subscriptionId: string,
    status: SubscriptionStatus,
  ): Promise<{ subscriptionId: string; status: SubscriptionStatus }> {
    return this.call(
      'PUT',
      `/subscriptions/${encodeURIComponent(subscriptionId)}/status`,
      { status },
    );
  }
  /** Gateway restart/resync: it forgets mappings removed by clean-up (CONTRACT 14.2.4). */
  async resyncGateway(): Promise<void> {
    await this.call('POST', '/gateway/resync');
  }
}
