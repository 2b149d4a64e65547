/**
 * Turns what went wrong into the error the caller gets (PRODUCT.md section 5) and the code the
 * audit row records. WSO2's quirks are translated here; see CONTRACT.md sections 2.4, 3.1, 6.5.
 */
import { InputError, isError } from '@backstage/errors';
import { ApimError } from '../apim/ApimError';
import { UpstreamError, VerificationFailedError } from '../errors';

export interface TranslatedError {
  error: Error;
  code: string;
}

export function translateError(
  error: unknown,
  instanceId: string,
): TranslatedError {
  if (
    error instanceof UpstreamError ||
    error instanceof VerificationFailedError
  ) {
    return { error, code: error.code };
  }
  if (!(error instanceof ApimError)) {
    if (isError(error)) {
      const code =
        error.name === 'Error'
          ? 'INTERNAL'
          : error.name.replace(/Error$/, '').toUpperCase() || 'INTERNAL';
      return { error, code };
    }
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
          `${where} is unreachable (${error.message}). Check its baseUrl, network and TLS settings (tls.ca). Retrying is safe.`,
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
    default:
      break;
  }
  if (error.status === 400 && error.code === 901403) {
    return {
      code: 'KEY_MANAGER_NOT_REGISTERED',
      error: new InputError(
        `${where} says the key manager is not registered or is disabled (WSO2 code 901403); pick one of the key managers GET /environments offers.`,
      ),
    };
  }
  if (error.status === 401) {
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
  if (error.status === 403) {
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
  return {
    code: `APIM_HTTP_${error.status}${
      error.code && error.code !== error.status ? `_${error.code}` : ''
    }`,
    error: new UpstreamError(
      `${where} failed: ${error.message}. Check API-M's server log; retrying is safe.`,
      502,
      `APIM_HTTP_${error.status}`,
      error,
    ),
  };
}
