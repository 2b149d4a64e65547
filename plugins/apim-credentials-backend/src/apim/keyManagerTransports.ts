/**
 * The HTTP transports verification uses to reach key managers' token endpoints (issue 10 item
 * 4, "per-key-manager TLS settings where needed"). A key manager without `keyManagers[].tls`
 * is reached through the instance's transport (its CA, its pool); one with its own TLS settings
 * gets a transport of its own, created once, so that a private CA of one identity provider is
 * trusted for that provider's token endpoint only.
 */
import type { InstanceConfig } from '../config';
import { HttpTransport } from './HttpTransport';

export class KeyManagerTransports {
  private readonly own = new Map<string, HttpTransport>();

  constructor(
    private readonly instance: Pick<
      InstanceConfig,
      'tls' | 'timeoutMs' | 'keyManagers'
    >,
    private readonly shared: HttpTransport,
  ) {}

  /**
   * The transport for key manager `name`'s token endpoint: its own when it has `tls`
   * settings (its CA added to the system's roots; `rejectUnauthorized` defaulting to the
   * instance's), the instance's otherwise.
   */
  for(name: string): HttpTransport {
    const existing = this.own.get(name);
    if (existing) return existing;
    const tls = this.instance.keyManagers?.find(k => k.name === name)?.tls;
    if (!tls) return this.shared;
    const transport = new HttpTransport({
      ca: tls.ca,
      rejectUnauthorized:
        tls.rejectUnauthorized ?? this.instance.tls.rejectUnauthorized,
      timeoutMs: this.instance.timeoutMs,
    });
    this.own.set(name, transport);
    return transport;
  }

  /** Closes the key managers' own pools (not the shared one). */
  async close(): Promise<void> {
    await Promise.all([...this.own.values()].map(t => t.close()));
    this.own.clear();
  }
}
