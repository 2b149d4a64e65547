/** Client of the `/_emulator` control API over HTTPS (works for in-process and child emulators). */
import { httpRequest } from './https-client';
import type {
  EmulatorConfig,
  EmulatorStateSnapshot,
  EmulatorStats,
  FaultRule,
  StateKeyManager,
} from './types';

export interface KeyManagerPatch {
  enabled?: boolean;
  enableMapOAuthConsumerApps?: boolean;
  enableTokenGeneration?: boolean;
  enableOAuthAppCreation?: boolean;
  tokenType?: 'DIRECT' | 'EXCHANGED' | 'BOTH';
}

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
  setConfig(patch: Partial<EmulatorConfig>): Promise<EmulatorConfig> {
    return this.call('PUT', '/config', patch);
  }
}
