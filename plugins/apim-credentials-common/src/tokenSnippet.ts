/**
 * The "get a token" snippet of the entity tab (PRODUCT.md section 7), here rather than in the
 * frontend so that the backend's tests can run it against a real key manager.
 */
import type { TokenRequestParams } from './types';

/**
 * The shell variable the snippet reads the secret into. The UI never knows the secret; reading
 * it at a prompt also keeps it out of shell history and spares the user quoting it.
 *
 * @public
 */
export const CONSUMER_SECRET_VARIABLE = 'CONSUMER_SECRET';
/**
 * How the secret appears in the snippet: a variable reference, never a value.
 *
 * @public
 */
export const CONSUMER_SECRET_PLACEHOLDER = `\${${CONSUMER_SECRET_VARIABLE}}`;
/**
 * Where the user puts the path of their API-M instance's CA certificate.
 *
 * @public
 */
export const CA_CERT_PLACEHOLDER = '<path to the CA certificate of API-M>';

/**
 * One argument for a POSIX shell: single-quoted, a single quote inside as `'\''`.
 *
 * @public
 */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A bash command that asks the key manager for a client_credentials token, for any consumer key
 * and secret: both travel as form fields that curl encodes itself (`--data-urlencode`), since
 * `curl -u key:secret` sends them unencoded in HTTP Basic, which RFC 6749 2.3.1 requires to be
 * form-encoded first (a secret with `%` or `+` is then refused) and which splits a key at `:`.
 * The secret is read at a prompt; `--cacert` appears when the instance uses a private CA, and
 * the key manager's configured scope, audience and extra parameters are sent as given
 * (`GET /environments`, `keyManagers[].tokenRequest`).
 *
 * @public
 */
export function buildTokenCurl(options: {
  tokenEndpoint: string;
  consumerKey: string;
  /** The instance uses its own CA (`EnvironmentInfo.privateCa`). */
  privateCa?: boolean;
  tokenRequest?: TokenRequestParams;
}): string {
  const field = (name: string, value: string) =>
    `--data-urlencode ${shellQuote(`${name}=${value}`)}`;
  const params = options.tokenRequest ?? {};
  const args = [
    shellQuote(options.tokenEndpoint),
    ...(options.privateCa
      ? [`--cacert ${shellQuote(CA_CERT_PLACEHOLDER)}`]
      : []),
    field('grant_type', 'client_credentials'),
    field('client_id', options.consumerKey),
    // Double quotes: the shell expands the variable and does not split or re-read its value.
    `--data-urlencode "client_secret=${CONSUMER_SECRET_PLACEHOLDER}"`,
    ...(params.scope ? [field('scope', params.scope)] : []),
    ...(params.audience ? [field('audience', params.audience)] : []),
    ...Object.entries(params.extraParams ?? {}).map(([name, value]) =>
      field(name, value),
    ),
  ];
  return [
    '# Paste the consumer secret at the prompt (not echoed, not kept in shell history)',
    // The prompt goes to stderr so that the token response alone can be piped (to jq...).
    `printf 'Consumer secret: ' >&2; IFS= read -rs ${CONSUMER_SECRET_VARIABLE}; echo >&2`,
    `curl ${args.join(' \\\n  ')}`,
  ].join('\n');
}
