/**
 * Step 4 of the seed in the entity tab (issue 16): after the token, the call of a subscribed API
 * through the API-M gateway. Here rather than in the frontend so that the backend's tests can run
 * it against the emulator's gateway.
 */
import { CA_CERT_PLACEHOLDER, shellQuote } from './tokenSnippet';

/**
 * Where the user puts the access token the token snippet answered. A placeholder, never a
 * token: the UI never has one.
 *
 * @public
 */
export const ACCESS_TOKEN_PLACEHOLDER = '<access_token>';
/**
 * Where the user puts the API's gateway URL when API-M reports none.
 *
 * @public
 */
export const GATEWAY_URL_PLACEHOLDER = '<gateway URL of the API>';
/**
 * Where the user puts the resource of the API to call (the path after context and version).
 *
 * @public
 */
export const RESOURCE_PLACEHOLDER = '<resource>';

/**
 * A bash command that calls an API through the gateway with the access token as a bearer token
 * (the token goes in a variable first, so the curl line can be re-run). The gateway presents the
 * instance's certificate, so `--cacert` appears for a private CA. It holds no secret.
 *
 * @param options - `gatewayUrl`: the URL API-M reports for the API (`endpointURLs`), a
 *   placeholder when undefined; `api`: e.g. `PaymentsAPI 1.0.0`, named in the comment;
 *   `privateCa`: whether the instance uses a private CA
 * @public
 */
export function buildInvokeCurl(options: {
  gatewayUrl?: string;
  api?: string;
  privateCa?: boolean;
}): string {
  const url = options.gatewayUrl
    ? `${options.gatewayUrl.replace(/\/+$/, '')}/${RESOURCE_PLACEHOLDER}`
    : GATEWAY_URL_PLACEHOLDER;
  return [
    `# Call ${
      options.api ?? 'an API the application subscribes to'
    } through the API-M gateway: put the access_token of the answer above in ACCESS_TOKEN${
      options.gatewayUrl ? ` and replace ${RESOURCE_PLACEHOLDER}` : ''
    }`,
    `ACCESS_TOKEN=${shellQuote(ACCESS_TOKEN_PLACEHOLDER)}`,
    [
      'curl',
      ...(options.privateCa
        ? [`--cacert ${shellQuote(CA_CERT_PLACEHOLDER)}`]
        : []),
      '-H "Authorization: Bearer ${ACCESS_TOKEN}"',
      shellQuote(url),
    ].join(' '),
  ].join('\n');
}
