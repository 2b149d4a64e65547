/** The secret's placeholder in the snippet: the secret is never known to the UI. */
export const CONSUMER_SECRET_PLACEHOLDER = '<consumer-secret>';

/** A curl command that asks the key manager for a client_credentials token. */
export function buildTokenCurl(options: {
  tokenEndpoint: string;
  consumerKey: string;
}): string {
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  return [
    `curl -X POST ${quote(options.tokenEndpoint)} \\`,
    `  -u ${quote(`${options.consumerKey}:${CONSUMER_SECRET_PLACEHOLDER}`)} \\`,
    `  -H 'Content-Type: application/x-www-form-urlencoded' \\`,
    `  -d 'grant_type=client_credentials'`,
  ].join('\n');
}
