import { HttpTransport } from '../apim/HttpTransport';
import {
  EntraLikeTokenEndpoint,
  startEntraLikeTokenEndpoint,
} from '../__testUtils__/entraLikeTokenEndpoint';
import { CredentialVerifier } from './CredentialVerifier';
import { tokenRequestSettings } from './tokenRequestConfig';

// Every character RFC 6749 2.3.1 form-encoding changes, and the ones that break a shell or `-u`.
const KEY = 'tenant:orders%41+app';
const SECRET = `s3cr%41t+x:y'z"w &=`;

describe('CredentialVerifier against a key manager that needs a scope (Entra ID)', () => {
  let entra: EntraLikeTokenEndpoint;
  const transport = new HttpTransport({
    rejectUnauthorized: true,
    timeoutMs: 5000,
  });
  const verifier = new CredentialVerifier();
  const instance = (verification?: Record<string, unknown>) => [
    {
      id: 'azure',
      keyManagers: verification
        ? [
            {
              name: 'Other',
              configKey: 'instances[0].keyManagers[0]',
              verification: {},
            },
            {
              name: 'AzureAD',
              configKey: 'instances[0].keyManagers[1]',
              verification,
            },
          ]
        : [],
    },
  ];
  const verify = (secret: string, verification?: Record<string, unknown>) =>
    verifier.verify(
      transport,
      entra.tokenEndpoint,
      'AzureAD',
      { consumerKey: KEY, consumerSecret: secret },
      tokenRequestSettings(instance(verification), 'azure', 'AzureAD'),
    );

  beforeAll(async () => {
    entra = await startEntraLikeTokenEndpoint({ clients: { [KEY]: SECRET } });
  });
  afterAll(async () => {
    await entra.stop();
    await transport.close();
  });

  it('reports a missing scope as the configuration to set, not as wrong credentials', async () => {
    const outcome = await verify(SECRET);
    expect(outcome).toMatchObject({
      ok: false,
      error: 'invalid_request',
      code: 'KEY_MANAGER_NEEDS_SCOPE',
    });
    expect(outcome.message).toContain('needs a scope');
    expect(outcome.message).toContain(
      'set apimCredentials.instances[0].keyManagers[].verification.scope (in an entry with name "AzureAD")',
    );
    expect(outcome.message).toContain('AADSTS900144');
    expect(outcome.message).not.toMatch(
      /secret is wrong|check the consumer key/i,
    );
    expect(entra.requests.at(-1)).toEqual({ grant_type: 'client_credentials' });
  });

  it.each([
    ['a scope without /.default', 'api://orders-api', 'invalid_scope'],
    [
      'the scope of another application',
      'api://payments/.default',
      'invalid_resource',
    ],
  ])(
    'names the configured scope when the key manager refuses %s',
    async (_n, scope, error) => {
      const outcome = await verify(SECRET, { scope });
      expect(outcome).toMatchObject({
        ok: false,
        error,
        code: 'KEY_MANAGER_NEEDS_SCOPE',
      });
      expect(outcome.message).toContain(`scope "${scope}"`);
      expect(outcome.message).toContain(
        'check apimCredentials.instances[0].keyManagers[1].verification.scope',
      );
    },
  );

  it('sends the configured scope, audience and extra parameters, and then succeeds', async () => {
    const outcome = await verify(SECRET, {
      scope: 'api://orders-api/.default',
      audience: 'orders',
      extraParams: { resource: 'https://orders.example.com' },
    });
    expect(outcome).toMatchObject({ ok: true });
    expect(entra.requests.at(-1)).toEqual({
      grant_type: 'client_credentials',
      scope: 'api://orders-api/.default',
      audience: 'orders',
      resource: 'https://orders.example.com',
    });
  });

  it('still reports a wrong secret as wrong credentials once the scope is right', async () => {
    const outcome = await verify(`${SECRET}x`, {
      scope: 'api://orders-api/.default',
    });
    expect(outcome).toMatchObject({
      ok: false,
      error: 'invalid_client',
      code: 'VERIFICATION_FAILED',
    });
    expect(outcome.message).toMatch(/secret is wrong/);
  });
});
