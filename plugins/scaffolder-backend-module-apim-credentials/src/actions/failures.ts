/**
 * Failure description: turns what the apim-credentials backend answered for one cell into a
 * message a template author can act on, and the step's error. Decided by the backend's stable
 * error `code` (`ApimCredentialsErrorCode` from `-common`, PRODUCT.md section 5); an answer
 * without a code (a proxy in between, an older backend) is described from its HTTP status
 * alone (failureCodes.ts and failureTexts.ts hold the words). Message text is only quoted, never
 * parsed.
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
import { describeCell, Target } from './cell';
import { describeByCode } from './failureCodes';
import {
  Answer,
  describeByStatus,
  FailureKind,
  Operation,
} from './failureTexts';
import { scrub } from './secret';

export type { FailureKind } from './failureTexts';

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

/**
 * Describes why one cell failed.
 *
 * @param error - what the REST client threw: a `ResponseError` (with `code` when the backend
 *   sent one) or a network error
 * @param sensitive - values scrubbed from every quoted text (the consumer secret)
 */
export function describeFailure(
  error: unknown,
  cell: Target,
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
  const action =
    operation === 'subscribe'
      ? 'apim:subscriptions:sync'
      : `apim:credentials:${operation}`;
  let head = `${action} failed in ${failures.length} of ${total} environments:`;
  if (options.changedNothing) {
    head = `${action}: nothing was changed; ${
      failures.length
    } of ${total} environment${total > 1 ? 's' : ''} cannot go ahead:`;
  } else if (failures.length === 1 && !succeeded.length) {
    head = `${action} failed in`;
  }
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
