/**
 * Failure description: turns what the apim-credentials backend answered for one cell into a
 * message a template author can act on, and the step's error. Decided by the backend's stable
 * error `code` (`ApimCredentialsErrorCode` from `-common`, PRODUCT.md section 5); an answer
 * without a code (a proxy in between, an older backend) is described from its HTTP status
 * alone. Message text is only quoted, never parsed.
 */
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ResponseError,
  ServiceUnavailableError,
  isError,
} from '@backstage/errors';
import {
  ApimCredentialsErrorCode,
  getApimCredentialsErrorCode,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { Cell, describeCell } from './cell';
import { scrub } from './secret';

/** What kind of failure it is; decides the class of the step's error (see {@link toError}). */
export type FailureKind =
  | 'invalid-input'
  | 'verification-failed'
  | 'key-manager-not-allowed'
  | 'authentication'
  | 'permission-denied'
  | 'application-not-bound'
  | 'not-found'
  | 'conflict'
  | 'rate-limited'
  | 'apim-unavailable'
  | 'key-manager-unavailable'
  | 'backend-unreachable'
  | 'unexpected';

/** What went wrong in one environment, in the words a template author needs. */
export interface CellFailure {
  kind: FailureKind;
  /** The backend's stable code, when its answer carried one. */
  code?: ApimCredentialsErrorCode;
  /** HTTP status of the backend's answer; absent when it could not be reached. */
  status?: number;
  /** Starts with the environment and key manager; never contains the secret. */
  message: string;
}

type Operation = 'provision' | 'unprovision';

/** Everything a message may use; `said` is the backend's message, already scrubbed. */
interface Answer {
  cell: Cell;
  operation: Operation;
  status: number;
  said: string;
  name: string;
  retryAfter?: string;
}

type Description = { kind: FailureKind; text: string };

const ENVIRONMENTS_HINT =
  'GET /api/apim-credentials/environments lists the environments and the key managers each allows';
const RETRY_LATER =
  'Nothing was changed there; retry the task later, and if it persists ask the platform team to check';

function verificationFailed(a: Answer): Description {
  return {
    kind: 'verification-failed',
    text: `verification failed: ${a.said}. Check the consumer key and secret, and that the client may use the client_credentials grant at that key manager`,
  };
}

function keyManagerRefused(a: Answer, hint: string): Description {
  return { kind: 'key-manager-not-allowed', text: `${a.said}. ${hint}` };
}

function permissionDenied(a: Answer): Description {
  return {
    kind: 'permission-denied',
    text: `permission denied: you may not ${a.operation} API-M credentials for ${a.cell.entityRef} (permission apim.credentials.provision): ${a.said}. Ask the entity's owners or your platform team`,
  };
}

function notFound(a: Answer, hint: string): Description {
  return { kind: 'not-found', text: `not found: ${a.said}. ${hint}` };
}

function conflict(a: Answer, hint: string): Description {
  return { kind: 'conflict', text: `conflict: ${a.said}. ${hint}` };
}

const REMOVE_FIRST =
  'Remove the existing mapping first (apim:credentials:unprovision, or "Remove" on the entity\'s API-M Credentials tab) or provide the client that is already mapped';

function apimFailing(a: Answer, hint: string): Description {
  return {
    kind: 'apim-unavailable',
    text: `API-M or the key manager is unreachable or failing (HTTP ${a.status}): ${a.said}. ${hint}`,
  };
}

/**
 * The description of an answer that carried a stable code. Every code of the union has a case,
 * so a code added to `-common` does not compile here until it is described.
 */
function describeByCode(
  code: ApimCredentialsErrorCode,
  a: Answer,
): Description {
  switch (code) {
    case 'INVALID_INPUT':
    case 'MALFORMED_BODY':
      return { kind: 'invalid-input', text: `invalid input: ${a.said}` };
    case 'MISSING_ANNOTATION':
      return {
        kind: 'invalid-input',
        text: `invalid input: ${a.said}. Add the wso2.com/apim-application annotation, naming the entity's API-M application, to ${a.cell.entityRef}`,
      };
    case 'APPLICATION_NAME_INVALID':
      return {
        kind: 'invalid-input',
        text: `invalid input: ${a.said}. Change the wso2.com/apim-application annotation of ${a.cell.entityRef} to a name API-M accepts`,
      };
    case 'KEY_MANAGER_NOT_OFFERED':
    case 'KEY_MANAGER_NOT_REGISTERED':
      return keyManagerRefused(
        a,
        `Choose a key manager the environment allows (${ENVIRONMENTS_HINT})`,
      );
    case 'KEY_MANAGER_NOT_VISIBLE':
      return keyManagerRefused(
        a,
        "The platform team must give API-M's service account the key manager's role (its permissions in the API-M admin portal), or choose another key manager",
      );
    case 'THROTTLING_POLICY_UNKNOWN':
      return {
        kind: 'unexpected',
        text: `the backend's application tier does not exist in API-M (HTTP ${a.status}): ${a.said}. Retrying does not help: the platform team must fix apimCredentials.applications.throttlingPolicy`,
      };
    case 'KEY_MANAGER_NO_TOKEN_ENDPOINT':
      return keyManagerRefused(
        a,
        'The credentials cannot be verified at that key manager: leave verify unset if the environment does not require verification, or ask the platform team to configure its token endpoint',
      );
    case 'TOKEN_ENDPOINT_NOT_ALLOWED':
      return keyManagerRefused(
        a,
        "The secret is sent only to token endpoints the platform team allowed: ask them to allow this key manager's token endpoint, or choose another key manager",
      );
    case 'VERIFICATION_FAILED':
      return verificationFailed(a);
    case 'AUTHENTICATION_REQUIRED':
      return describeByStatus({ ...a, status: 401 });
    case 'PERMISSION_DENIED':
      return permissionDenied(a);
    case 'APPLICATION_BOUND_ELSEWHERE':
      return {
        kind: 'application-not-bound',
        text: `the API-M application belongs to another entity: ${a.said}. Only the entity it is bound to may use it; check the wso2.com/apim-application annotation of ${a.cell.entityRef}`,
      };
    case 'APPLICATION_NOT_BOUND':
      return {
        kind: 'application-not-bound',
        text: `the API-M application is not bound to ${a.cell.entityRef}: ${a.said}. It exists in API-M but Backstage did not create it; ask your platform team to bind it to ${a.cell.entityRef} (permission apim.applications.bind)`,
      };
    // Subscription answers (apim:subscriptions:sync, issue 16).
    case 'SUBSCRIPTION_TIER_NOT_ALLOWED':
    case 'API_NOT_ANNOTATED':
      return { kind: 'invalid-input', text: `invalid input: ${a.said}` };
    case 'APPLICATION_PENDING_APPROVAL':
      return conflict(
        a,
        "The application waits for approval in API-M's workflow: retry after an API-M admin approved it",
      );
    case 'API_NOT_FOUND':
    case 'NOT_SUBSCRIBED':
      return notFound(
        a,
        "Check the API entity's wso2.com/api-id (or api-name and api-version) annotations",
      );
    case 'UNKNOWN_ENVIRONMENT':
      return notFound(a, `Use an environment id that ${ENVIRONMENTS_HINT}`);
    case 'ENTITY_NOT_FOUND':
      return notFound(
        a,
        `If an earlier step registered ${a.cell.entityRef}, set waitForEntity so the action waits for the catalog`,
      );
    case 'APPLICATION_NOT_FOUND':
      return notFound(
        a,
        'Create the API-M application first, or leave createApplication unset so the backend may create it',
      );
    case 'NOT_FOUND':
      return describeByStatus({ ...a, status: 404 });
    case 'SLOT_TAKEN':
    case 'CONFLICT':
      return conflict(a, REMOVE_FIRST);
    case 'OTHER_KEY_TYPE':
      return conflict(
        a,
        "A client is the key of one key type only: use another client for this environment's key type",
      );
    case 'MAPPED_ELSEWHERE':
      return conflict(
        a,
        'A client is mapped into one API-M application only: remove it there first, or use another client',
      );
    case 'KEY_GENERATED_IN_APIM':
      return conflict(
        a,
        'That key was generated in API-M, so Backstage does not remove it: remove it in the API-M Developer Portal',
      );
    case 'CONSUMER_KEY_MISMATCH':
      return conflict(
        a,
        "Another client is mapped there now and nothing was removed: check the consumer key, or look at the entity's API-M Credentials tab",
      );
    case 'BINDING_CONFLICT':
      return conflict(
        a,
        'The application is bound to another entity: the platform team must unbind it first',
      );
    case 'APPLICATION_REJECTED':
      return conflict(
        a,
        "The application was rejected in API-M's approval workflow: ask an API-M admin to approve it, or name another application",
      );
    case 'APPLICATION_NAME_CASE_CONFLICT':
      return conflict(
        a,
        'API-M compares application names without regard to case: make the wso2.com/apim-application annotation spell the existing application exactly',
      );
    case 'RATE_LIMITED':
      return describeByStatus({ ...a, status: 429 });
    case 'APIM_TIMEOUT':
    case 'APIM_UNREACHABLE':
    case 'APIM_MALFORMED_RESPONSE':
    case 'APIM_900967':
    case 'APIM_ERROR':
      return apimFailing(a, `${RETRY_LATER} the API-M instance`);
    case 'APIM_AUTH_FAILED':
    case 'APIM_FORBIDDEN':
    case 'APIM_REDIRECT':
      return apimFailing(
        a,
        "Nothing was changed there. Retrying does not help: the platform team must fix the API-M instance's configuration",
      );
    case 'KEY_MANAGER_NOT_LOADED':
    case 'KEY_MANAGER_FAILED_BEHIND_APIM':
    case 'KEY_MANAGER_TIMEOUT':
    case 'KEY_MANAGER_UNREACHABLE':
    case 'KEY_MANAGER_ERROR':
      return {
        kind: 'key-manager-unavailable',
        text: `the key manager is unreachable or failing (HTTP ${a.status}): ${a.said}. ${RETRY_LATER} the key manager`,
      };
    case 'KEY_MANAGER_NEEDS_SCOPE':
      return {
        kind: 'unexpected',
        text: `the key manager needs more than the client's credentials (HTTP ${a.status}): ${a.said}. Retrying does not help: the platform team must configure the scope or audience it requires`,
      };
    case 'INTERNAL':
      return {
        kind: 'unexpected',
        text: `the apim-credentials backend failed (HTTP ${a.status}): ${a.said}. Its log has the details; ask the platform team`,
      };
    default: {
      const unhandled: never = code;
      return describeByStatus({ ...a, said: `${a.said} (${unhandled})` });
    }
  }
}

/** The description of an answer without a code: from the HTTP status alone. */
function describeByStatus(a: Answer): Description {
  switch (a.status) {
    case 400:
      return { kind: 'invalid-input', text: `invalid input: ${a.said}` };
    case 401:
      return {
        kind: 'authentication',
        text: `the apim-credentials backend did not accept the call on behalf of the template's user: ${a.said}`,
      };
    case 403:
      return permissionDenied(a);
    case 404:
      return notFound(
        a,
        `Check the environment id (${ENVIRONMENTS_HINT}); if an earlier step registered ${a.cell.entityRef}, set waitForEntity so the action waits for the catalog`,
      );
    case 409:
      return conflict(a, REMOVE_FIRST);
    case 429:
      return {
        kind: 'rate-limited',
        text: `too many attempts: ${a.said}. Retry ${
          a.retryAfter ? `after ${a.retryAfter} seconds` : 'later'
        }`,
      };
    case 502:
    case 503:
    case 504:
      return apimFailing(a, `${RETRY_LATER} the API-M instance`);
    default:
      return {
        kind: 'unexpected',
        text: `the apim-credentials backend answered HTTP ${a.status}${
          a.name ? ` ${a.name}` : ''
        }: ${a.said}`,
      };
  }
}

/**
 * Describes why one cell failed.
 *
 * @param error - what the REST client threw: a `ResponseError` (with `code` when the backend
 *   sent one) or a network error
 * @param sensitive - values scrubbed from every quoted text (the consumer secret)
 */
export function describeFailure(
  error: unknown,
  cell: Cell,
  operation: Operation,
  sensitive: Array<string | undefined>,
): CellFailure {
  const where = describeCell(cell);
  if (!ResponseError.is(error)) {
    const text = scrub(
      isError(error) ? error.message : String(error),
      sensitive,
    );
    return {
      kind: 'backend-unreachable',
      message: `${where}: could not reach the apim-credentials backend: ${text}. Is the apim-credentials backend plugin installed in this Backstage backend?`,
    };
  }
  const status = error.response.status;
  const answer: Answer = {
    cell,
    operation,
    status,
    said: scrub(error.body?.error?.message || error.message, sensitive),
    name: error.body?.error?.name ?? '',
    retryAfter: error.response.headers?.get('retry-after') ?? undefined,
  };
  const code = getApimCredentialsErrorCode(error);
  const { kind, text } = code
    ? describeByCode(code, answer)
    : describeByStatus(answer);
  return {
    kind,
    ...(code ? { code } : {}),
    status,
    message: `${where}: ${text}`,
  };
}

const ERROR_CLASS: Partial<
  Record<FailureKind, new (message: string) => Error>
> = {
  'invalid-input': InputError,
  'verification-failed': InputError,
  'key-manager-not-allowed': InputError,
  'permission-denied': NotAllowedError,
  'application-not-bound': NotAllowedError,
  'not-found': NotFoundError,
  conflict: ConflictError,
  'apim-unavailable': ServiceUnavailableError,
  'key-manager-unavailable': ServiceUnavailableError,
  'backend-unreachable': ServiceUnavailableError,
};

/**
 * The step's error for one or more failed cells: a short Markdown summary (the scaffolder's task
 * page renders the message as Markdown), one line per environment, what failed and what did
 * succeed, and, with `entityRef`, a link to the entity so the person keeps the way to its API-M
 * Credentials tab (a failed task shows no output links). Its class follows the failures' kind when
 * they share one (`InputError`, `NotAllowedError`, `NotFoundError`, `ConflictError`,
 * `ServiceUnavailableError`), else `Error`; it carries the backend's `code` when every failure had
 * the same one. Its `stack` is the message alone: the scaffolder logs a failed step's stack, and
 * frames of this module help no template user.
 *
 * @param options - `changedNothing`: the pre-flight failed, so no environment was touched
 */
export function toError(
  failures: Array<{ environment: string; failure: CellFailure }>,
  succeeded: Array<{ environment: string; status: string }>,
  operation: Operation,
  options: { entityRef?: string; changedNothing?: boolean } = {},
): Error {
  const total = failures.length + succeeded.length;
  const head = options.changedNothing
    ? `apim:credentials:${operation}: nothing was changed; ${
        failures.length
      } of ${total} environment${total > 1 ? 's' : ''} cannot go ahead:`
    : failures.length === 1 && !succeeded.length
    ? `apim:credentials:${operation} failed in`
    : `apim:credentials:${operation} failed in ${failures.length} of ${total} environments:`;
  const lines = [
    ...failures.map(f => f.failure.message),
    ...succeeded.map(
      s =>
        `environment "${s.environment}": ${
          options.changedNothing ? 'checked, not changed' : s.status
        }`,
    ),
  ];
  const list =
    lines.length === 1 && !options.changedNothing && !succeeded.length
      ? ` ${lines[0]}`
      : `\n${lines.map(l => `- ${l}`).join('\n')}`;
  const message = `${head}${list}${
    options.entityRef ? `\n\n${entityLink(options.entityRef)}` : ''
  }`;
  const kinds = new Set(failures.map(f => f.failure.kind));
  const codes = new Set(failures.map(f => f.failure.code));
  const ErrorClass = kinds.size === 1 ? ERROR_CLASS[[...kinds][0]] : undefined;
  const error = ErrorClass ? new ErrorClass(message) : new Error(message);
  error.stack = `${error.name}: ${message}`;
  const [code] = codes;
  return codes.size === 1 && code ? Object.assign(error, { code }) : error;
}

/** A Markdown link to the entity's page at the catalog's default route. */
function entityLink(entityRef: string): string {
  const match = /^([^:]+):([^/]+)\/(.+)$/.exec(entityRef);
  if (!match) return `Entity: ${entityRef}`;
  const [, kind, namespace, name] = match.map(encodeURIComponent);
  return `[Open ${entityRef}](/catalog/${namespace}/${kind.toLowerCase()}/${name})`;
}
