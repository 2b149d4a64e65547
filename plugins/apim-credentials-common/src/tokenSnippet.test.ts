import { execFileSync } from 'node:child_process';
import { buildTokenCurl, shellQuote } from './tokenSnippet';

const hasBash = (() => {
  try {
    execFileSync('bash', ['-c', 'true']);
    return true;
  } catch {
    return false;
  }
})();

/** What bash makes of a quoted argument: the exact bytes a program receives. */
function throughShell(arg: string): string {
  return execFileSync('bash', ['-c', `printf '%s' ${arg}`]).toString();
}

describe('buildTokenCurl', () => {
  it('sends every credential as a form field curl encodes, and the secret only as a variable', () => {
    expect(
      buildTokenCurl({
        tokenEndpoint: 'https://localhost:9444/oauth2/token',
        consumerKey: 'abc',
      }),
    ).toBe(
      [
        '# Paste the consumer secret at the prompt (not echoed, not kept in shell history)',
        "printf 'Consumer secret: ' >&2; IFS= read -rs CONSUMER_SECRET; echo >&2",
        "curl 'https://localhost:9444/oauth2/token' \\",
        "  --data-urlencode 'grant_type=client_credentials' \\",
        "  --data-urlencode 'client_id=abc' \\",
        '  --data-urlencode "client_secret=${CONSUMER_SECRET}"',
      ].join('\n'),
    );
  });

  it.each([
    [
      'a key with a colon',
      { consumerKey: 'tenant:app' },
      ["--data-urlencode 'client_id=tenant:app'"],
      ['-u '],
    ],
    [
      'a key with a quote',
      { consumerKey: "o'brien" },
      [`--data-urlencode 'client_id=o'\\''brien'`],
      [],
    ],
    [
      'a key with % and +',
      { consumerKey: 'k%41+y' },
      ["--data-urlencode 'client_id=k%41+y'"],
      [],
    ],
    [
      'a private CA',
      { privateCa: true },
      ["--cacert '<path to the CA certificate of API-M>'"],
      [],
    ],
    ['no private CA', { privateCa: false }, [], ['--cacert']],
    [
      'an Entra scope',
      { tokenRequest: { scope: 'api://orders/.default' } },
      ["--data-urlencode 'scope=api://orders/.default'"],
      ['audience'],
    ],
    [
      'an audience',
      { tokenRequest: { audience: 'https://api.example.com' } },
      ["--data-urlencode 'audience=https://api.example.com'"],
      ['scope='],
    ],
    [
      'extra parameters',
      { tokenRequest: { extraParams: { resource: "https://x/?a=1&b='2'" } } },
      [`--data-urlencode 'resource=https://x/?a=1&b='\\''2'\\'''`],
      [],
    ],
  ])('handles %s', (_name, options, contains: string[], lacks: string[]) => {
    const snippet = buildTokenCurl({
      tokenEndpoint: 'https://km.example.com/token',
      consumerKey: 'abc',
      ...options,
    });
    for (const text of contains) expect(snippet).toContain(text);
    for (const text of lacks) expect(snippet).not.toContain(text);
    expect(snippet).toContain('"client_secret=${CONSUMER_SECRET}"');
  });

  // Skipped, not passed, where there is no bash to run the quoted value through.
  (hasBash ? describe : describe.skip)('in bash', () => {
    it.each([
      'plain',
      "it's",
      "''",
      'a b\tc',
      '$HOME `id` $(id) \\ " !',
      'tenant:app%41+x&y=z',
      'ünïcode',
    ])('quotes %p so that bash passes it through unchanged', value => {
      expect(throughShell(shellQuote(value))).toBe(value);
    });
  });
});
