/**
 * Proves a consumer key and secret work before they are mapped: a client_credentials request at
 * the key manager's token endpoint, as the seed's step 4 does with curl. The token it returns is
 * discarded at once; only whether it was issued (and why not) is kept.
 */
import { ApimError } from '../apim/ApimError';
import { HttpTransport } from '../apim/HttpTransport';
import { basic } from '../apim/TokenProvider';

export interface VerificationOutcome {
  ok: boolean;
  message: string;
  /** The OAuth2 error code when the key manager refused. */
  error?: string;
  grantedScopes?: string[];
}

const REASONS: Record<string, string> = {
  invalid_client:
    'the key manager does not know this consumer key, or the consumer secret is wrong',
  unauthorized_client:
    'the client is not allowed the client_credentials grant; enable that grant type for it in the key manager',
  unsupported_grant_type:
    'the key manager does not support the client_credentials grant',
  invalid_scope: 'the key manager refused the requested scope',
};

export class CredentialVerifier {
  async verify(
    transport: HttpTransport,
    tokenEndpoint: string,
    keyManager: string,
    credentials: { consumerKey: string; consumerSecret: string },
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
      body: 'grant_type=client_credentials',
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
    return {
      ok: false,
      error,
      message: `Verification failed: ${
        REASONS[error] ??
        `the key manager ${keyManager} refused the client (${error}${
          body.error_description ? `: ${body.error_description}` : ''
        })`
      }`,
    };
  }
}
