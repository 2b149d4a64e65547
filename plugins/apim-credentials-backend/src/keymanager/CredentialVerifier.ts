/**
 * Proves a consumer key and secret work before they are mapped: a client_credentials request at
 * the key manager's token endpoint, as the seed's step 4 does with curl. The token it returns is
 * discarded at once; only whether it was issued (and why not) is kept.
 */
import { ApimError } from '../apim/ApimError';
import { HttpTransport } from '../apim/HttpTransport';
import { basic } from '../apim/TokenProvider';
import type { TokenRequestParams } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { TokenRequestSettings } from './tokenRequestConfig';

export interface VerificationOutcome {
  ok: boolean;
  message: string;
  /** The OAuth2 error code when the key manager refused. */
  error?: string;
  /** Stable code of a refusal: the credentials, or the backend's token request configuration. */
  code?: 'VERIFICATION_FAILED' | 'KEY_MANAGER_NEEDS_SCOPE';
  grantedScopes?: string[];
}

const REASONS: Record<string, string> = {
  invalid_client:
    'the key manager does not know this consumer key, or the consumer secret is wrong',
  unauthorized_client:
    'the client is not allowed the client_credentials grant; enable that grant type for it in the key manager',
  unsupported_grant_type:
    'the key manager does not support the client_credentials grant',
};

/**
 * Answers that mean the request lacked (or had a wrong) scope, audience or resource rather than
 * bad credentials: Entra ID answers a missing scope with invalid_request (AADSTS900144), a scope
 * without `/.default` with invalid_scope (AADSTS1002012), an unknown application id URI with
 * invalid_resource (AADSTS500011); RFC 6749 5.2 and RFC 8707 name the same errors.
 */
const NEEDS_SCOPE = new Set([
  'invalid_request',
  'invalid_scope',
  'invalid_resource',
  'invalid_target',
]);

/** The form body of a client_credentials request with the configured extra parameters. */
export function tokenRequestBody(params: TokenRequestParams = {}): string {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (params.scope) form.set('scope', params.scope);
  if (params.audience) form.set('audience', params.audience);
  for (const [name, value] of Object.entries(params.extraParams ?? {})) {
    form.set(name, value);
  }
  return form.toString();
}

export class CredentialVerifier {
  /**
   * One client_credentials request (HTTP Basic with form-encoded credentials, RFC 6749 2.3.1;
   * plus the configured scope, audience and extra parameters). Resolves `{ ok: false }` with
   * `code` VERIFICATION_FAILED when the key manager refused the client, KEY_MANAGER_NEEDS_SCOPE
   * when it refused the request's parameters (the message names the configuration key to set).
   * Throws ApimError for transport failures, 5xx and a 2xx that is not JSON.
   */
  async verify(
    transport: HttpTransport,
    tokenEndpoint: string,
    keyManager: string,
    credentials: { consumerKey: string; consumerSecret: string },
    settings?: TokenRequestSettings,
  ): Promise<VerificationOutcome> {
    const operation = `POST ${keyManager} token endpoint`;
    const response = await transport.send({
      method: 'POST',
      url: tokenEndpoint,
      operation,
      headers: {
        authorization: basic(
          encodeURIComponent(credentials.consumerKey),
          encodeURIComponent(credentials.consumerSecret),
        ),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: tokenRequestBody(settings?.params),
    });
    const text = await transport.readText(response, operation);
    let body: {
      error?: string;
      error_description?: string;
      scope?: string;
      access_token?: string;
    } = {};
    try {
      body = JSON.parse(text);
    } catch {
      if (response.ok) {
        throw new ApimError(
          'malformed',
          operation,
          `${operation} answered with a body that is not JSON`,
        );
      }
    }
    if (response.ok && body.access_token) {
      return {
        ok: true,
        message: `The key manager ${keyManager} issued a token to this client with the client_credentials grant`,
        grantedScopes: body.scope ? body.scope.split(' ').filter(Boolean) : [],
      };
    }
    if (response.status >= 500) {
      throw new ApimError(
        'http',
        operation,
        `${operation} failed with HTTP ${response.status}`,
        response.status,
        response.status,
      );
    }
    const error = body.error ?? `http_${response.status}`;
    if (NEEDS_SCOPE.has(error)) {
      return {
        ok: false,
        error,
        code: 'KEY_MANAGER_NEEDS_SCOPE',
        message: needsScopeMessage(keyManager, error, body, settings),
      };
    }
    return {
      ok: false,
      error,
      code: 'VERIFICATION_FAILED',
      message: `Verification failed: ${
        REASONS[error] ??
        `the key manager ${keyManager} refused the client (${error}${
          body.error_description ? `: ${body.error_description}` : ''
        })`
      }`,
    };
  }
}

/**
 * Why a refusal of the request's parameters is the operator's to fix, and which key to set.
 * The key manager's own description (it names the missing parameter) is kept: it holds no secret.
 */
function needsScopeMessage(
  keyManager: string,
  error: string,
  body: { error_description?: string },
  settings?: TokenRequestSettings,
): string {
  const said = `it answered ${error}${
    body.error_description
      ? `: ${body.error_description.split(/\r?\n/)[0]}`
      : ''
  }`;
  const params = settings?.params ?? {};
  const sent = [
    params.scope && `scope "${params.scope}"`,
    params.audience && `audience "${params.audience}"`,
    ...Object.keys(params.extraParams ?? {}).map(p => `parameter "${p}"`),
  ].filter(Boolean);
  const key = settings?.configured
    ? `${settings.configKey}.verification.scope`
    : `${
        settings?.configKey ?? 'apimCredentials.instances[].keyManagers'
      }[].verification.scope (in an entry with name "${keyManager}")`;
  if (sent.length === 0) {
    return `The key manager ${keyManager} needs a scope for the client_credentials grant (${said}): set ${key}, e.g. "<application id URI>/.default" for Entra ID, or verification.audience for an IdP that wants an audience. This is the backend's configuration, not the client's credentials.`;
  }
  return `The key manager ${keyManager} refused the token request's ${sent.join(
    ', ',
  )} (${said}): check ${key} (and verification.audience / extraParams). This is the backend's configuration, not the client's credentials.`;
}
