/**
 * The entity tab's "get a token" snippet, run as a user would run it (bash + curl, the secret
 * typed at its prompt) against the real key manager of the local stack and against an Entra-like
 * endpoint that needs a scope.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  buildTokenCurl,
  CA_CERT_PLACEHOLDER,
  shellQuote,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { LocalStack } from '@internal/local-stack';
import { startStack } from '../__testUtils__/harness';
import {
  EntraLikeTokenEndpoint,
  startEntraLikeTokenEndpoint,
} from '../__testUtils__/entraLikeTokenEndpoint';

jest.setTimeout(120_000);

const hasCurl = (() => {
  try {
    execFileSync('curl', ['--version']);
    execFileSync('bash', ['-c', 'true']);
    return true;
  } catch {
    return false;
  }
})();

/** Runs a command in bash with `input` on stdin; resolves stdout (rejects with stderr). */
function runBash(command: string, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'bash',
      ['-c', command],
      { timeout: 30_000 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`${error.message}\n${stderr}`))
          : resolve(stdout),
    );
    child.stdin!.end(input);
  });
}

// `%41` decodes to "A" if anyone decodes twice; `+` to a space; `:` splits Basic; `'` and `"`
// end a shell quote; `&` and `=` split a form.
const SECRET = `s3cr%41t+x:y'z"w &=$HOME`;

(hasCurl ? describe : describe.skip)('the token snippet, run with curl', () => {
  let stack: LocalStack;
  let entra: EntraLikeTokenEndpoint;

  beforeAll(async () => {
    [stack, entra] = await Promise.all([
      startStack(),
      startEntraLikeTokenEndpoint({
        clients: { 'tenant:orders%41+app': SECRET },
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([stack?.stop(), entra?.stop()]);
  });

  it('gets a token from the key manager for a secret with %41, +, :, quotes and spaces', async () => {
    const client = await stack.keyManager.createClient({
      name: 'snippet-secret-chars',
      clientSecret: SECRET,
    });
    const snippet = buildTokenCurl({
      tokenEndpoint: stack.keyManager.tokenEndpoint,
      consumerKey: client.clientId,
      privateCa: true,
    }).replace(shellQuote(CA_CERT_PLACEHOLDER), shellQuote(stack.tls.caPath));
    const body = JSON.parse(await runBash(snippet, `${SECRET}\n`));
    expect(body.access_token).toEqual(expect.any(String));

    // What the snippet replaced: `curl -u key:secret` sends the secret unencoded in Basic, which
    // the key manager form-decodes (RFC 6749 2.3.1), so it refuses this very secret.
    const old = `curl -s --cacert ${shellQuote(
      stack.tls.caPath,
    )} -u ${shellQuote(
      `${client.clientId}:${SECRET}`,
    )} -d grant_type=client_credentials ${shellQuote(
      stack.keyManager.tokenEndpoint,
    )}`;
    expect(JSON.parse(await runBash(old, ''))).toMatchObject({
      error: 'invalid_client',
    });
  });

  it("sends a key with ':' and the key manager's scope to an Entra-like endpoint", async () => {
    const snippet = buildTokenCurl({
      tokenEndpoint: entra.tokenEndpoint,
      consumerKey: 'tenant:orders%41+app',
      tokenRequest: { scope: `${entra.appIdUri}/.default` },
    });
    const body = JSON.parse(await runBash(snippet, `${SECRET}\n`));
    expect(body.access_token).toEqual(expect.any(String));
    expect(entra.requests.at(-1)).toEqual({
      grant_type: 'client_credentials',
      client_id: 'tenant:orders%41+app',
      client_secret: SECRET,
      scope: 'api://orders-api/.default',
    });
  });
});
