/**
 * Turns what went wrong into the error the caller gets (PRODUCT.md section 5) and the code the
 * audit row records. WSO2's quirks are translated here; see CONTRACT.md sections 2.4, 3.1, 6.5.
 * Messages name the failing system and what an operator can do, never the transport detail
 * (hosts, ports) or WSO2's description: those stay on the cause, which only the log sees.
 */
import { InputError, isError } from '@backstage/errors';
import type { ApimCredentialsErrorCode } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { ApimError } from '../apim/ApimError';
import {
  UpstreamError,
  VerificationFailedError,
  coded,
  errorCodeOf,
} from '../errors';
import { KeyManagerNeedsScopeError } from '../keymanager/errors';

export interface TranslatedError {
  error: Error;
  /** The stable code the caller sees; audit rows record it too. */
  code: ApimCredentialsErrorCode;
}

/**
 * @param error - anything thrown while serving a request
 * @param instanceId - the API-M instance the request went to, named in messages
 * @returns the error to throw (UpstreamError 502/503/504 for API-M failures, a coded 400 for
 *   WSO2's 901403) and its code; errors that are not ApimError pass through with their code.
 */
export function translateError(
  error: unknown,
  instanceId: string,
): TranslatedError {
  if (
    error instanceof UpstreamError ||
    error instanceof VerificationFailedError ||
    error instanceof KeyManagerNeedsScopeError
  ) {
    return { error, code: error.code };
  }
  if (!(error instanceof ApimError)) {
    if (isError(error)) return { error, code: errorCodeOf(error) };
    return { error: new Error(String(error)), code: 'INTERNAL' };
  }
  const where = `API-M instance "${instanceId}"`;
  switch (error.kind) {
    case 'timeout':
      return {
        code: 'APIM_TIMEOUT',
        error: new UpstreamError(
          `${where} did not answer in time (${error.operation}). Check that API-M is up, or raise apimCredentials.instances[].timeout.seconds. Nothing was left half-done: retrying is safe.`,
          504,
          'APIM_TIMEOUT',
          error,
        ),
      };
    case 'unreachable':
      return {
        code: 'APIM_UNREACHABLE',
        error: new UpstreamError(
          `${where} is unreachable (${error.operation}). Check its baseUrl, network and TLS settings (tls.ca); the backend log has the details. Retrying is safe.`,
          503,
          'APIM_UNREACHABLE',
          error,
        ),
      };
    case 'malformed':
      return {
        code: 'APIM_MALFORMED_RESPONSE',
        error: new UpstreamError(
          `${where} answered ${error.operation} with a response that could not be read; check API-M's logs or a proxy in front of it.`,
          502,
          'APIM_MALFORMED_RESPONSE',
          error,
        ),
      };
    case 'redirect':
      return {
        code: 'APIM_REDIRECT',
        error: new UpstreamError(
          `${where} answered ${error.message}; redirects are never followed (they would re-send credentials). Point apimCredentials.instances[].baseUrl at the final address.`,
          502,
          'APIM_REDIRECT',
          error,
        ),
      };
    default:
      break;
  }
  if (error.is(400, 901403)) {
    return {
      code: 'KEY_MANAGER_NOT_REGISTERED',
      error: coded(
        new InputError(
          `${where} says the key manager is not registered or is disabled (WSO2 code 901403); pick one of the key managers GET /environments offers.`,
        ),
        'KEY_MANAGER_NOT_REGISTERED',
      ),
    };
  }
  if (error.is(401)) {
    return {
      code: 'APIM_AUTH_FAILED',
      error: new UpstreamError(
        `${where} rejected the service account's token twice (${error.operation}); check apimCredentials.instances[].auth and that the account has the Internal/subscriber role.`,
        502,
        'APIM_AUTH_FAILED',
        error,
      ),
    };
  }
  if (error.is(403)) {
    return {
      code: 'APIM_FORBIDDEN',
      error: new UpstreamError(
        `${where} refused ${error.operation}: the application belongs to another API-M user. Ask an API-M admin to transfer it to the service account.`,
        502,
        'APIM_FORBIDDEN',
        error,
      ),
    };
  }
  const wso2 =
    error.code && error.code !== error.upstreamStatus
      ? ` (WSO2 code ${error.code})`
      : '';
  return {
    code: 'APIM_ERROR',
    error: new UpstreamError(
      `${where} answered ${error.operation} with HTTP ${error.upstreamStatus}${wso2}. Check API-M's server log; retrying is safe.`,
      502,
      'APIM_ERROR',
      error,
    ),
  };
}
