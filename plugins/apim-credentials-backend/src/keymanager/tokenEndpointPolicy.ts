/**
 * Where the operator allows consumer secrets to be sent (issue 10 item 4). API-M reports each
 * key manager's token endpoint, and whoever administers API-M (or registers a key manager in
 * it) chooses that URL; verification then POSTs a client's id and secret there. So:
 * - `http:` is refused unless the instance sets `allowInsecureHttp: true` (start-up warns);
 * - an environment may list the token endpoint origins it allows (`tokenEndpoints`); then
 *   every other origin is refused;
 * - a token endpoint on the backend's own machine or network link (localhost, loopback,
 *   link-local such as the cloud metadata address 169.254.169.254, the unspecified address) is
 *   refused unless the operator configured that origin: listed in `tokenEndpoints`, the
 *   instance's `baseUrl` (the resident key manager is API-M itself), or a key manager's
 *   `tokenEndpoint` override.
 */
import { isIP } from 'node:net';

/** The resolved policy of one environment; built at start-up by {@link readTokenEndpointPolicy}. */
export interface TokenEndpointPolicy {
  /** Origins of `environments[].tokenEndpoints`; undefined: no allow-list. */
  allowedOrigins?: string[];
  /** Origins the operator configured for the instance (baseUrl, key manager overrides). */
  configuredOrigins: string[];
  /** The instance's `allowInsecureHttp`. */
  allowInsecureHttp: boolean;
  /** The environment's configuration key, for messages that tell an operator what to set. */
  configKey: string;
}

/** Whether a host is the machine itself or its link: loopback, link-local, unspecified. */
export function isLocalHost(hostname: string): boolean {
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  if (family === 4) {
    const [a, b] = host.split('.').map(Number);
    return a === 127 || a === 0 || (a === 169 && b === 254);
  }
  if (family === 6) {
    if (host === '::1' || host === '::') return true;
    if (/^fe[89ab][0-9a-f]:/.test(host)) return true; // fe80::/10 link-local
    // IPv4-mapped (::ffff:127.0.0.1, which URL normalises to ::ffff:7f00:1)
    const mapped = host.match(/^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/);
    if (mapped) {
      const hi = parseInt(mapped[1], 16);
      return isLocalHost(`${hi >> 8}.${hi & 255}.0.0`);
    }
    const dotted = host.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/);
    if (dotted) return isLocalHost(dotted[1]);
  }
  return false;
}

/**
 * Why a secret may not be sent to `tokenEndpoint` under `policy`, or undefined when it may.
 * The message names the endpoint and the configuration key that would allow it.
 */
export function tokenEndpointRefusal(
  policy: TokenEndpointPolicy,
  tokenEndpoint: string,
): string | undefined {
  let url: URL;
  try {
    url = new URL(tokenEndpoint);
  } catch {
    return `The key manager's token endpoint "${tokenEndpoint.slice(
      0,
      200,
    )}" is not a URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return `The key manager's token endpoint ${url.origin} is not an https URL`;
  }
  if (url.protocol === 'http:' && !policy.allowInsecureHttp) {
    return `The key manager's token endpoint ${url.origin} is plain http; secrets are sent only over https (allowInsecureHttp of the environment's instance allows http, not for production)`;
  }
  if (policy.allowedOrigins) {
    if (policy.allowedOrigins.includes(url.origin)) return undefined;
    return `The key manager's token endpoint ${
      url.origin
    } is not on the allow-list ${
      policy.configKey
    }.tokenEndpoints (${policy.allowedOrigins.join(
      ', ',
    )}); secrets are sent only to origins listed there`;
  }
  if (
    isLocalHost(url.hostname) &&
    !policy.configuredOrigins.includes(url.origin)
  ) {
    return `The key manager's token endpoint ${url.origin} is on the backend's own host or network link (localhost, loopback or link-local); secrets go there only when the operator lists that origin in ${policy.configKey}.tokenEndpoints`;
  }
  return undefined;
}

/**
 * Reads `environments[i].tokenEndpoints` (origins such as `https://is.example.com:9443`) and
 * builds the environment's policy. Fails start-up, naming the key, for an entry that is not a
 * bare http(s) origin, or an `http:` one while the instance does not allow insecure HTTP.
 */
export function readTokenEndpointPolicy(
  entries: string[] | undefined,
  key: string,
  instance: {
    baseUrl: string;
    allowInsecureHttp: boolean;
    keyManagers?: ReadonlyArray<{ tokenEndpoint?: string }>;
  },
  fail: (key: string, why: string) => never,
): TokenEndpointPolicy {
  const allowedOrigins = entries?.map((entry, j) => {
    let url: URL | undefined;
    try {
      url = new URL(entry);
    } catch {
      fail(`${key}.tokenEndpoints[${j}]`, `"${entry}" is not a URL`);
    }
    if (url!.protocol !== 'https:' && url!.protocol !== 'http:')
      fail(`${key}.tokenEndpoints[${j}]`, 'must be an http(s) origin');
    if (
      (url!.pathname !== '/' && url!.pathname !== '') ||
      url!.search ||
      url!.username
    )
      fail(
        `${key}.tokenEndpoints[${j}]`,
        `"${entry}" must be an origin only (scheme, host and port, e.g. https://is.example.com:9443)`,
      );
    if (url!.protocol === 'http:' && !instance.allowInsecureHttp)
      fail(
        `${key}.tokenEndpoints[${j}]`,
        `"${entry}" is plain http; set allowInsecureHttp: true on the environment's instance to allow it (not for production)`,
      );
    return url!.origin;
  });
  const configuredOrigins = [
    instance.baseUrl,
    ...(instance.keyManagers ?? []).flatMap(k => k.tokenEndpoint ?? []),
  ].flatMap(u => {
    try {
      return [new URL(u).origin];
    } catch {
      return [];
    }
  });
  return {
    ...(allowedOrigins ? { allowedOrigins } : {}),
    configuredOrigins,
    allowInsecureHttp: instance.allowInsecureHttp,
    configKey: `apimCredentials.${key}`,
  };
}

/** The policy of an environment; without one (hand-built configs) only non-local https. */
export function policyOf(env: {
  id: string;
  tokenEndpointPolicy?: TokenEndpointPolicy;
}): TokenEndpointPolicy {
  return (
    env.tokenEndpointPolicy ?? {
      configuredOrigins: [],
      allowInsecureHttp: false,
      configKey: `apimCredentials.environments (id "${env.id}")`,
    }
  );
}
