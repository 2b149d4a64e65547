import { buildTokenCurl } from './tokenSnippet';

describe('buildTokenCurl', () => {
  it('fills in the endpoint and consumer key and leaves the secret as a placeholder', () => {
    expect(
      buildTokenCurl({
        tokenEndpoint: 'https://localhost:9444/oauth2/token',
        consumerKey: 'abc',
      }),
    ).toBe(
      [
        "curl -X POST 'https://localhost:9444/oauth2/token' \\",
        "  -u 'abc:<consumer-secret>' \\",
        "  -H 'Content-Type: application/x-www-form-urlencoded' \\",
        "  -d 'grant_type=client_credentials'",
      ].join('\n'),
    );
  });

  it('quotes single quotes for the shell', () => {
    expect(
      buildTokenCurl({ tokenEndpoint: 'https://x/t', consumerKey: "a'b" }),
    ).toContain(`-u 'a'\\''b:<consumer-secret>'`);
  });
});
