/**
 * Asking the key manager itself whether a client's credentials are good (a client_credentials
 * token request to the token endpoint API-M lists for it). The secret goes only to an endpoint
 * the operator allows (issue 10 item 4) and nowhere else.
 */
import { InputError } from '@backstage/errors';
import type { VerifyResult } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { ApimClient } from '../apim/ApimClient';
import { ApimError } from '../apim/ApimError';
import type { ApimKeyManager } from '../apim/types';
import type { ApimCredentialsConfig, EnvironmentConfig } from '../config';
import type { CredentialVerifier } from '../keymanager/CredentialVerifier';
import { KeyManagerNeedsScopeError } from '../keymanager/errors';
import {
  policyOf,
  tokenEndpointRefusal,
} from '../keymanager/tokenEndpointPolicy';
import { tokenRequestSettings } from '../keymanager/tokenRequestConfig';
import { UpstreamError, VerificationFailedError, coded } from '../errors';

/** The credentials to check; the secret crosses memory only. */
export interface Credentials {
  consumerKey: string;
  consumerSecret: string;
}

export class CredentialCheck {
  constructor(
    private readonly deps: {
      config: ApimCredentialsConfig;
      verifier: CredentialVerifier;
      clientFor: (env: EnvironmentConfig) => ApimClient;
    },
  ) {}

  /**
   * Requests a token for the client from key manager `km`.
   *
   * @returns the verdict (`ok: false` with the key manager's reason for refused credentials)
   * @throws InputError 400 `TOKEN_ENDPOINT_NOT_ALLOWED` / `KEY_MANAGER_NO_TOKEN_ENDPOINT`;
   *   UpstreamError 504 `KEY_MANAGER_TIMEOUT`, 502 `KEY_MANAGER_UNREACHABLE` /
   *   `KEY_MANAGER_ERROR` naming the key manager (not API-M: same transport, other system)
   */
  async run(
    env: EnvironmentConfig,
    km: ApimKeyManager,
    credentials: Credentials,
  ): Promise<VerifyResult> {
    if (km.tokenEndpointRefused) {
      throw coded(
        new InputError(km.tokenEndpointRefused),
        'TOKEN_ENDPOINT_NOT_ALLOWED',
      );
    }
    if (!km.tokenEndpoint) {
      throw coded(
        new InputError(
          `Key manager "${km.name}" has no token endpoint in API-M, so its credentials cannot be verified`,
        ),
        'KEY_MANAGER_NO_TOKEN_ENDPOINT',
      );
    }
    const refused = tokenEndpointRefusal(policyOf(env), km.tokenEndpoint);
    if (refused) {
      throw coded(new InputError(refused), 'TOKEN_ENDPOINT_NOT_ALLOWED');
    }
    try {
      const outcome = await this.deps.verifier.verify(
        this.deps.clientFor(env).tokenTransport(km.name),
        km.tokenEndpoint,
        km.name,
        {
          consumerKey: credentials.consumerKey,
          consumerSecret: credentials.consumerSecret,
        },
        tokenRequestSettings(this.deps.config.instances, env.instance, km.name),
      );
      return {
        ...outcome,
        environment: env.id,
        keyManager: km.name,
        consumerKey: credentials.consumerKey,
        tokenEndpoint: km.tokenEndpoint,
      };
    } catch (error) {
      throw keyManagerFault(km, error);
    }
  }
}

function keyManagerFault(km: ApimKeyManager, error: unknown): unknown {
  if (!(error instanceof ApimError)) return error;
  if (error.kind !== 'http') {
    const timedOut = error.kind === 'timeout';
    let what = 'could not be reached or answered badly';
    if (timedOut) what = 'did not answer in time';
    else if (error.kind === 'redirect')
      what =
        'answered the token request with a redirect, which is never followed (it would re-send the credentials)';
    return new UpstreamError(
      `Key manager "${km.name}" ${what}; check that it is up and that API-M's key manager configuration points at the right token endpoint. The backend log has the details.`,
      timedOut ? 504 : 502,
      timedOut ? 'KEY_MANAGER_TIMEOUT' : 'KEY_MANAGER_UNREACHABLE',
      error,
    );
  }
  return new UpstreamError(
    `Key manager "${km.name}" failed to answer a token request (HTTP ${error.upstreamStatus}); check its logs.`,
    502,
    'KEY_MANAGER_ERROR',
    error,
  );
}

/**
 * The error for a failed verification: the credentials were refused (400), or the key manager
 * wants a scope the configuration does not give (500 naming the key; the client may be fine).
 */
export function refusal(check: Pick<VerifyResult, 'code' | 'message'>): Error {
  return check.code === 'KEY_MANAGER_NEEDS_SCOPE'
    ? new KeyManagerNeedsScopeError(check.message)
    : new VerificationFailedError(check.message);
}
