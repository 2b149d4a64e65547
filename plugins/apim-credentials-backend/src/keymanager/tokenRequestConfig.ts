/**
 * Per key manager settings of an instance (`apimCredentials.instances[].keyManagers[]`): what a
 * client_credentials request to that key manager must carry besides the client's credentials.
 * Entra ID refuses client_credentials without `scope=<application id uri>/.default`; Auth0 and
 * some Okta servers want an `audience`; RFC 8707 servers a `resource` (an extra parameter).
 * None of these values is a secret: they are shown to users in the token snippet.
 */
import { Config } from '@backstage/config';
import type { TokenRequestParams } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { checkHttpUrl } from '../configChecks';

export interface KeyManagerSettings {
  /** The key manager's name in API-M (`GET /key-managers` `name`). */
  name: string;
  verification: TokenRequestParams;
  /**
   * The key manager's token endpoint, replacing what API-M reports (CONTRACT.md 14.2 item 1:
   * the resident key manager is reported as `https://localhost:9443/oauth2/token`).
   */
  tokenEndpoint?: string;
  /**
   * TLS of the token endpoint when it differs from the instance's (`keyManagers[].tls`): the
   * CA is added to the system's roots; absent fields fall back to the instance's settings.
   */
  tls?: { ca?: string; rejectUnauthorized?: boolean };
  /** Where this entry lives in the configuration, for messages that tell an operator what to set. */
  configKey: string;
}

/** Parameters the backend always sets itself; an extra parameter may not replace them. */
const RESERVED = new Set([
  'grant_type',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'scope',
  'audience',
]);
/** A form field name that needs no encoding, so the snippet can pass it to curl as is. */
const PARAM_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/**
 * Reads `keyManagers` of one instance config (at `apimCredentials.<key>`).
 * Throws through `fail` (naming the key) on a missing name, a duplicate, an empty value, or
 * an extra parameter that is reserved or not a plain form field name.
 */
export function readKeyManagerSettings(
  instance: Config,
  key: string,
  fail: (key: string, why: string) => never,
): KeyManagerSettings[] {
  const seen = new Set<string>();
  return (instance.getOptionalConfigArray('keyManagers') ?? []).map((c, j) => {
    const at = `${key}.keyManagers[${j}]`;
    const name = c.getString('name').trim();
    if (!name) fail(`${at}.name`, 'must not be empty');
    if (seen.has(name)) fail(`${at}.name`, `duplicate key manager "${name}"`);
    seen.add(name);
    const text = (field: 'scope' | 'audience') => {
      const value = c.getOptionalString(`verification.${field}`);
      if (value !== undefined && !value.trim()) {
        fail(`${at}.verification.${field}`, 'must not be empty when given');
      }
      return value?.trim();
    };
    const scope = text('scope');
    const audience = text('audience');
    const extra = c.getOptionalConfig('verification.extraParams');
    let extraParams: Record<string, string> | undefined;
    for (const param of extra?.keys() ?? []) {
      const paramKey = `${at}.verification.extraParams.${param}`;
      if (!PARAM_NAME.test(param)) {
        fail(
          paramKey,
          'must be a plain form field name (letters, digits, "_", "-", ".")',
        );
      }
      if (RESERVED.has(param)) {
        fail(
          paramKey,
          `"${param}" is set by the backend itself${
            param === 'scope' || param === 'audience'
              ? `; use verification.${param}`
              : ''
          }`,
        );
      }
      extraParams = { ...extraParams, [param]: extra!.getString(param) };
    }
    const tokenEndpoint = c.getOptionalString('tokenEndpoint')?.trim();
    if (tokenEndpoint !== undefined) {
      checkHttpUrl(tokenEndpoint, `${at}.tokenEndpoint`, fail);
    }
    const tls = readTls(c, at, fail);
    return {
      name,
      configKey: at,
      ...(tokenEndpoint ? { tokenEndpoint } : {}),
      ...(tls ? { tls } : {}),
      verification: {
        ...(scope ? { scope } : {}),
        ...(audience ? { audience } : {}),
        ...(extraParams ? { extraParams } : {}),
      },
    };
  });
}

/** `keyManagers[].tls`, or undefined when absent; a CA must be PEM certificates. */
function readTls(
  c: Config,
  at: string,
  fail: (key: string, why: string) => never,
): KeyManagerSettings['tls'] {
  const tls = c.getOptionalConfig('tls');
  if (!tls) return undefined;
  const ca = tls.getOptionalString('ca');
  if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----')) {
    fail(
      `${at}.tls.ca`,
      'must be PEM certificate(s) ("-----BEGIN CERTIFICATE-----")',
    );
  }
  const rejectUnauthorized = tls.getOptionalBoolean('rejectUnauthorized');
  return {
    ...(ca ? { ca } : {}),
    ...(rejectUnauthorized !== undefined ? { rejectUnauthorized } : {}),
  };
}

/** What a token request sends beyond the credentials, and where an operator configures it. */
export interface TokenRequestSettings {
  params: TokenRequestParams;
  /**
   * The configuration key of this key manager's settings, e.g.
   * `apimCredentials.instances[0].keyManagers[1]`; for a key manager without settings, where to
   * add them (`apimCredentials.instances[0].keyManagers`).
   */
  configKey: string;
  /** Whether the key manager has an entry under `configKey` (otherwise one must be added). */
  configured: boolean;
}

/**
 * The token request settings of a key manager of an instance: its configured entry, or empty
 * parameters and the key where an entry would go.
 */
export function tokenRequestSettings(
  instances: ReadonlyArray<{ id: string; keyManagers?: KeyManagerSettings[] }>,
  instanceId: string,
  keyManager: string,
): TokenRequestSettings {
  const index = instances.findIndex(i => i.id === instanceId);
  const entry = instances[index]?.keyManagers?.find(k => k.name === keyManager);
  if (entry) {
    return {
      params: entry.verification,
      configKey: `apimCredentials.${entry.configKey}`,
      configured: true,
    };
  }
  return {
    params: {},
    configKey: `apimCredentials.instances[${index}].keyManagers`,
    configured: false,
  };
}
