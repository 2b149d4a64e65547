import { ResponseError } from '@backstage/errors';
import {
  APIM_CREDENTIALS_ERROR_CODES,
  ApimCredentialsErrorCode,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { describeFailure, FailureKind, toError } from './failures';

const cell = {
  entityRef: 'component:default/orders-service',
  environment: 'sandbox',
  keyManager: 'IS',
};
const SECRET = 'f41lure-s3cret';

async function answer(
  status: number,
  error: { name?: string; message: string; code?: string },
  headers: Record<string, string> = {},
) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: 'Error', ...error },
        request: { method: 'PUT', url: '/x' },
        response: { statusCode: status },
      }),
      {
        status,
        headers: { 'content-type': 'application/json', ...headers },
      },
    ),
  );
}

// Every stable code: the status the backend answers it with, the kind, the step's error class
// and what the message tells the template author to do.
const BY_CODE: Record<
  ApimCredentialsErrorCode,
  [number, FailureKind, string, RegExp]
> = {
  INVALID_INPUT: [400, 'invalid-input', 'InputError', /invalid input: /],
  MALFORMED_BODY: [400, 'invalid-input', 'InputError', /invalid input: /],
  APPLICATION_NAME_INVALID: [
    400,
    'invalid-input',
    'InputError',
    /to a name API-M accepts/,
  ],
  MISSING_ANNOTATION: [
    400,
    'invalid-input',
    'InputError',
    /Add the wso2.com\/apim-application annotation/,
  ],
  KEY_MANAGER_NOT_OFFERED: [
    400,
    'key-manager-not-allowed',
    'InputError',
    /Choose a key manager the environment allows/,
  ],
  KEY_MANAGER_NOT_REGISTERED: [
    400,
    'key-manager-not-allowed',
    'InputError',
    /Choose a key manager the environment allows/,
  ],
  KEY_MANAGER_NO_TOKEN_ENDPOINT: [
    400,
    'key-manager-not-allowed',
    'InputError',
    /cannot be verified at that key manager: leave verify unset/,
  ],
  TOKEN_ENDPOINT_NOT_ALLOWED: [
    400,
    'key-manager-not-allowed',
    'InputError',
    /only to token endpoints the platform team allowed/,
  ],
  VERIFICATION_FAILED: [
    400,
    'verification-failed',
    'InputError',
    /verification failed: .*Check the consumer key and secret/,
  ],
  AUTHENTICATION_REQUIRED: [
    401,
    'authentication',
    'Error',
    /did not accept the call on behalf of the template's user/,
  ],
  PERMISSION_DENIED: [
    403,
    'permission-denied',
    'NotAllowedError',
    /permission denied: you may not provision API-M credentials for component:default\/orders-service/,
  ],
  APPLICATION_BOUND_ELSEWHERE: [
    403,
    'application-not-bound',
    'NotAllowedError',
    /belongs to another entity: .*check the wso2.com\/apim-application annotation/,
  ],
  APPLICATION_NOT_BOUND: [
    403,
    'application-not-bound',
    'NotAllowedError',
    /not bound to component:default\/orders-service: .*permission apim.applications.bind/,
  ],
  UNKNOWN_ENVIRONMENT: [
    404,
    'not-found',
    'NotFoundError',
    /not found: .*Use an environment id that GET \/api\/apim-credentials\/environments lists/,
  ],
  ENTITY_NOT_FOUND: [
    404,
    'not-found',
    'NotFoundError',
    /not found: .*set waitForEntity/,
  ],
  APPLICATION_NOT_FOUND: [
    404,
    'not-found',
    'NotFoundError',
    /not found: .*Create the API-M application first/,
  ],
  NOT_FOUND: [404, 'not-found', 'NotFoundError', /not found: /],
  SELF_APPROVAL: [
    403,
    'permission-denied',
    'NotAllowedError',
    /permission denied: .*Another approver/,
  ],
  APPROVAL_REQUEST_NOT_FOUND: [
    404,
    'not-found',
    'NotFoundError',
    /not found: .*file a new approval request/,
  ],
  APPROVAL_REQUEST_NOT_PENDING: [
    409,
    'conflict',
    'ConflictError',
    /conflict: .*filed again/,
  ],
  SUBSCRIPTION_TIER_NOT_ALLOWED: [
    400,
    'invalid-input',
    'InputError',
    /invalid input: /,
  ],
  API_NOT_ANNOTATED: [400, 'invalid-input', 'InputError', /invalid input: /],
  APPLICATION_PENDING_APPROVAL: [
    400,
    'conflict',
    'ConflictError',
    /conflict: .*retry after an API-M admin approved it/,
  ],
  API_NOT_FOUND: [
    404,
    'not-found',
    'NotFoundError',
    /not found: .*wso2.com\/api-id/,
  ],
  NOT_SUBSCRIBED: [
    404,
    'not-found',
    'NotFoundError',
    /not found: .*annotations/,
  ],
  SLOT_TAKEN: [
    409,
    'conflict',
    'ConflictError',
    /conflict: .*Remove the existing mapping first/,
  ],
  OTHER_KEY_TYPE: [
    409,
    'conflict',
    'ConflictError',
    /the key of one key type only/,
  ],
  MAPPED_ELSEWHERE: [
    409,
    'conflict',
    'ConflictError',
    /mapped into one API-M application only/,
  ],
  KEY_GENERATED_IN_APIM: [
    409,
    'conflict',
    'ConflictError',
    /remove it in the API-M Developer Portal/,
  ],
  APPLICATION_REJECTED: [
    409,
    'conflict',
    'ConflictError',
    /ask an API-M admin to approve it/,
  ],
  KEY_MANAGER_NOT_VISIBLE: [
    400,
    'key-manager-not-allowed',
    'InputError',
    /service account the key manager's role/,
  ],
  THROTTLING_POLICY_UNKNOWN: [
    400,
    'unexpected',
    'Error',
    /must fix apimCredentials.applications.throttlingPolicy/,
  ],
  KEY_MANAGER_NOT_LOADED: [
    503,
    'key-manager-unavailable',
    'ServiceUnavailableError',
    /the key manager is unreachable or failing \(HTTP 503\)/,
  ],
  KEY_MANAGER_FAILED_BEHIND_APIM: [
    502,
    'key-manager-unavailable',
    'ServiceUnavailableError',
    /the key manager is unreachable or failing/,
  ],
  APPLICATION_NAME_CASE_CONFLICT: [
    409,
    'conflict',
    'ConflictError',
    /spell the existing application exactly/,
  ],
  CONSUMER_KEY_MISMATCH: [
    409,
    'conflict',
    'ConflictError',
    /nothing was removed: check the consumer key/,
  ],
  BINDING_CONFLICT: [
    409,
    'conflict',
    'ConflictError',
    /the platform team must unbind it first/,
  ],
  CONFLICT: [409, 'conflict', 'ConflictError', /conflict: /],
  RATE_LIMITED: [
    429,
    'rate-limited',
    'Error',
    /too many attempts: .*Retry after 30 seconds/,
  ],
  APIM_TIMEOUT: [
    504,
    'apim-unavailable',
    'ServiceUnavailableError',
    /unreachable or failing \(HTTP 504\).*retry the task later/,
  ],
  APIM_UNREACHABLE: [
    503,
    'apim-unavailable',
    'ServiceUnavailableError',
    /retry the task later/,
  ],
  APIM_AUTH_FAILED: [
    502,
    'apim-unavailable',
    'ServiceUnavailableError',
    /Retrying does not help: the platform team must fix/,
  ],
  APIM_FORBIDDEN: [
    502,
    'apim-unavailable',
    'ServiceUnavailableError',
    /Retrying does not help/,
  ],
  APIM_REDIRECT: [
    502,
    'apim-unavailable',
    'ServiceUnavailableError',
    /Retrying does not help/,
  ],
  APIM_MALFORMED_RESPONSE: [
    502,
    'apim-unavailable',
    'ServiceUnavailableError',
    /retry the task later/,
  ],
  APIM_900967: [
    502,
    'apim-unavailable',
    'ServiceUnavailableError',
    /retry the task later/,
  ],
  APIM_ERROR: [
    502,
    'apim-unavailable',
    'ServiceUnavailableError',
    /retry the task later/,
  ],
  KEY_MANAGER_TIMEOUT: [
    504,
    'key-manager-unavailable',
    'ServiceUnavailableError',
    /the key manager is unreachable or failing \(HTTP 504\)/,
  ],
  KEY_MANAGER_UNREACHABLE: [
    503,
    'key-manager-unavailable',
    'ServiceUnavailableError',
    /the key manager is unreachable/,
  ],
  KEY_MANAGER_ERROR: [
    502,
    'key-manager-unavailable',
    'ServiceUnavailableError',
    /the key manager is unreachable or failing/,
  ],
  KEY_MANAGER_NEEDS_SCOPE: [
    500,
    'unexpected',
    'Error',
    /must configure the scope or audience/,
  ],
  INTERNAL: [
    500,
    'unexpected',
    'Error',
    /the apim-credentials backend failed \(HTTP 500\): .*Its log has the details/,
  ],
};

describe('describeFailure', () => {
  it('has a row for every stable code of -common', () => {
    expect(Object.keys(BY_CODE).sort()).toEqual(
      [...new Set(APIM_CREDENTIALS_ERROR_CODES)].sort(),
    );
  });

  it.each(Object.entries(BY_CODE))(
    '%s: described from the code',
    async (code, [status, kind, errorName, message]) => {
      // The backend's message says nothing the description could be guessed from.
      const error = await answer(
        status,
        { message: `the backend said so (${SECRET})`, code },
        { 'retry-after': '30' },
      );
      const failure = describeFailure(error, cell, 'provision', [SECRET]);
      expect(failure).toMatchObject({ kind, code, status });
      expect(failure.message).toMatch(
        /^environment "sandbox" \(key manager "IS"\): /,
      );
      expect(failure.message).toContain('the backend said so (***)');
      expect(failure.message).toMatch(message);
      expect(failure.message).not.toContain(SECRET);

      const stepError = toError(
        [{ environment: 'sandbox', failure }],
        [],
        'provision',
      );
      expect(stepError.name).toBe(errorName);
      expect((stepError as { code?: string }).code).toBe(code);
    },
  );

  it('never reads the message text: the code decides, even against what the text says', async () => {
    const worded = describeFailure(
      await answer(400, {
        message: 'verification failed: key manager "IS" said invalid_client',
      }),
      cell,
      'provision',
      [],
    );
    expect(worded.kind).toBe('invalid-input');
    expect(worded.code).toBeUndefined();

    const coded = describeFailure(
      await answer(400, { message: 'nope', code: 'VERIFICATION_FAILED' }),
      cell,
      'provision',
      [],
    );
    expect(coded.kind).toBe('verification-failed');
  });

  it.each([
    [400, 'invalid-input', /invalid input: /],
    [401, 'authentication', /did not accept the call/],
    [403, 'permission-denied', /permission denied: you may not unprovision/],
    [404, 'not-found', /Check the environment id.*set waitForEntity/],
    [409, 'conflict', /conflict: .*Remove the existing mapping first/],
    [429, 'rate-limited', /too many attempts: .*Retry later/],
    [502, 'apim-unavailable', /unreachable or failing \(HTTP 502\)/],
    [503, 'apim-unavailable', /unreachable or failing \(HTTP 503\)/],
    [504, 'apim-unavailable', /unreachable or failing \(HTTP 504\)/],
    [500, 'unexpected', /answered HTTP 500 Error: /],
  ] as const)(
    'an answer without a code (a proxy, an older backend): HTTP %s from the status alone',
    async (status, kind, message) => {
      const failure = describeFailure(
        await answer(status, { message: 'something' }),
        cell,
        'unprovision',
        [],
      );
      expect(failure.kind).toBe(kind);
      expect(failure.message).toMatch(message);
    },
  );

  it('a code this version does not know is treated as no code', async () => {
    const failure = describeFailure(
      await answer(409, { message: 'taken', code: 'SOMETHING_NEW' }),
      cell,
      'provision',
      [],
    );
    expect(failure.kind).toBe('conflict');
    expect(failure).not.toHaveProperty('code');
  });

  it('a backend that cannot be reached is named as such, without the secret', () => {
    const failure = describeFailure(
      new TypeError(`fetch failed for ${SECRET}`),
      cell,
      'provision',
      [SECRET],
    );
    expect(failure.kind).toBe('backend-unreachable');
    expect(failure.message).toMatch(
      /could not reach the apim-credentials backend: fetch failed for \*\*\*/,
    );
  });
});

describe('toError', () => {
  it('a mix of kinds or codes gives a plain Error without a code, naming what succeeded', async () => {
    const a = describeFailure(
      await answer(409, { message: 'taken', code: 'SLOT_TAKEN' }),
      { ...cell, environment: 'production' },
      'provision',
      [],
    );
    const b = describeFailure(
      await answer(409, { message: 'elsewhere', code: 'MAPPED_ELSEWHERE' }),
      { ...cell, environment: 'staging' },
      'provision',
      [],
    );
    const sameKind = toError(
      [
        { environment: 'production', failure: a },
        { environment: 'staging', failure: b },
      ],
      [{ environment: 'sandbox', status: 'created' }],
      'provision',
    );
    expect(sameKind.name).toBe('ConflictError');
    // The scaffolder logs a failed step's stack: the summary alone, no frames.
    expect(sameKind.stack).not.toMatch(/\n\s+at /);
    expect((sameKind as { code?: string }).code).toBeUndefined();
    expect(sameKind.message).toMatch(
      /^apim:credentials:provision failed in 2 of 3 environments:\n- environment "production".*\n- environment "staging".*\n- environment "sandbox": created$/,
    );
  });
});
