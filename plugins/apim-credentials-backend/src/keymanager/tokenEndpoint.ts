/**
 * Where the backend may send a client's secret for a key manager (verification, the token
 * snippet). API-M reports the Resident Key Manager's token endpoint from its own `service_url`,
 * `https://localhost:9443/oauth2/token` unless an admin set a display endpoint (CONTRACT.md
 * 14.2 item 1): taken as is, the secret of a client of a remote API-M would go to whatever
 * listens on the backend's own host. So:
 * - an operator's `instances[].keyManagers[].tokenEndpoint` wins;
 * - the resident key manager's endpoint is derived from the instance's `baseUrl` (`/oauth2/token`,
 *   CONTRACT.md 2.2), which the operator did configure;
 * - any other reported endpoint on a loopback host is refused unless the instance itself is on a
 *   loopback host (a local stack), because the operator did not configure it.
 */
export interface TokenEndpointDecision {
  /** The endpoint to use; undefined when there is none or it was refused. */
  tokenEndpoint?: string;
  /** Why API-M's reported endpoint is not used; only set when it was refused. */
  refused?: string;
}

/** The key manager type API-M gives its resident key manager (CONTRACT.md 5.1). */
const RESIDENT_TYPE = 'default';

/** Whether a URL's host is the machine itself (localhost, 127.0.0.0/8, ::1, 0.0.0.0). */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  host = host.replace(/^\[|\]$/g, '');
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\.\d+\.\d+\.\d+$/.test(host) ||
    host === '::1' ||
    host === '0.0.0.0' ||
    host === '::'
  );
}

/**
 * The token endpoint to use for a key manager of an instance.
 *
 * @param instance - the instance's configured `baseUrl` (no trailing slash) and per key manager
 *   settings; `configKey` names where an override goes, for the refusal message
 * @param km - the key manager as API-M lists it (`type`, reported `tokenEndpoint`)
 */
export function resolveTokenEndpoint(
  instance: {
    baseUrl: string;
    configKey: string;
    keyManagers?: ReadonlyArray<{ name: string; tokenEndpoint?: string }>;
  },
  km: { name: string; type: string; tokenEndpoint?: string | null },
): TokenEndpointDecision {
  const override = instance.keyManagers?.find(
    k => k.name === km.name,
  )?.tokenEndpoint;
  if (override) return { tokenEndpoint: override };
  if (km.type === RESIDENT_TYPE) {
    return { tokenEndpoint: `${instance.baseUrl}/oauth2/token` };
  }
  const reported = km.tokenEndpoint ?? undefined;
  if (reported && isLoopbackUrl(reported) && !isLoopbackUrl(instance.baseUrl)) {
    return {
      refused: `API-M reports token endpoint ${reported} for key manager "${km.name}", which points at the backend's own host; set ${instance.configKey} (an entry with name "${km.name}" and tokenEndpoint) to the key manager's real token endpoint`,
    };
  }
  return { tokenEndpoint: reported };
}
