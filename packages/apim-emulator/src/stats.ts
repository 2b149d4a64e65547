/** Request counters per route template (for tests of retry/caching behaviour). */
import type { EmulatorStats } from './types';

const ID_AFTER: Record<string, string> = {
  applications: '{applicationId}',
  'oauth-keys': '{keyMappingId}',
  subscriptions: '{subscriptionId}',
  apis: '{apiId}',
  'key-managers': '{name}',
  register: '{clientId}',
};
const FIXED = new Set([
  'map-keys',
  'oauth-keys',
  'clean-up',
  'generate-token',
  'multiple',
]);

/** `/api/am/devportal/v3/applications/3f0c.../map-keys` -> `/api/am/devportal/v3/applications/{applicationId}/map-keys`. */
export function routeTemplate(path: string): string {
  const segs = path.split('?')[0].split('/');
  return segs
    .map((s, i) => {
      const prev = segs[i - 1];
      if (i > 0 && prev in ID_AFTER && s && !FIXED.has(s))
        return ID_AFTER[prev];
      return s;
    })
    .join('/');
}

export class Stats {
  private data: EmulatorStats = Stats.empty();

  static empty(): EmulatorStats {
    return {
      total: 0,
      tokenRequests: 0,
      dcrRequests: 0,
      byRoute: {},
      byStatus: {},
    };
  }

  countRequest(method: string, path: string): void {
    const key = `${method.toUpperCase()} ${routeTemplate(path)}`;
    this.data.total++;
    this.data.byRoute[key] = (this.data.byRoute[key] ?? 0) + 1;
    if (key === 'POST /oauth2/token') this.data.tokenRequests++;
    if (key.startsWith('POST /client-registration/')) this.data.dcrRequests++;
  }

  countStatus(status: number): void {
    this.data.byStatus[String(status)] =
      (this.data.byStatus[String(status)] ?? 0) + 1;
  }

  snapshot(): EmulatorStats {
    return JSON.parse(JSON.stringify(this.data));
  }

  reset(): void {
    this.data = Stats.empty();
  }
}
