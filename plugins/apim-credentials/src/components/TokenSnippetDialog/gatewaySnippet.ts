import {
  CA_CERT_PLACEHOLDER,
  shellQuote,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';

/** Where the user puts the API's gateway URL until the subscriptions work names it. */
export const GATEWAY_URL_PLACEHOLDER = '<gateway URL of the API>';

/**
 * The next step after the token (issue 15 item 8): the call through the API-M gateway with the
 * access token as a bearer token. The gateway presents the instance's certificate, so a private
 * CA is needed here too.
 */
export function buildGatewayCurl(options: { privateCa?: boolean }): string {
  return [
    '# Copy access_token from the answer above, then call an API the application subscribes to',
    `ACCESS_TOKEN=${shellQuote('<access_token>')}`,
    [
      'curl',
      ...(options.privateCa
        ? [`--cacert ${shellQuote(CA_CERT_PLACEHOLDER)}`]
        : []),
      '-H "Authorization: Bearer ${ACCESS_TOKEN}"',
      shellQuote(GATEWAY_URL_PLACEHOLDER),
    ].join(' '),
  ].join('\n');
}
