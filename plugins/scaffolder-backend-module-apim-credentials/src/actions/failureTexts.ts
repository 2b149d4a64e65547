/**
 * The words of a failure description: what a template author is told for each kind of answer of
 * the apim-credentials backend, and the description of an answer from its HTTP status alone (an
 * answer without a stable code: a proxy in between, an older backend). failureCodes.ts describes
 * the answers that carry a code; failures.ts puts the two together.
 */
import type { Target } from './cell';

/** What kind of failure it is; decides the class of the step's error (see failures.ts `toError`). */
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

/** `subscribe`: apim:subscriptions:sync, which subscribes and unsubscribes. */
export type Operation = 'provision' | 'unprovision' | 'subscribe';

/** Everything a message may use; `said` is the backend's message, already scrubbed. */
export interface Answer {
  cell: Target;
  operation: Operation;
  /** Absent for one API's failure inside a sync's 200 answer (it carries a code only). */
  status?: number;
  said: string;
  name: string;
  retryAfter?: string;
}

export type Description = { kind: FailureKind; text: string };

export const ENVIRONMENTS_HINT =
  'GET /api/apim-credentials/environments lists the environments and the key managers each allows';
export const RETRY_LATER =
  'Nothing was changed there; retry the task later, and if it persists ask the platform team to check';

export function verificationFailed(a: Answer): Description {
  return {
    kind: 'verification-failed',
    text: `verification failed: ${a.said}. Check the consumer key and secret, and that the client may use the client_credentials grant at that key manager`,
  };
}

export function keyManagerRefused(a: Answer, hint: string): Description {
  return { kind: 'key-manager-not-allowed', text: `${a.said}. ${hint}` };
}

/** ` (HTTP 502)`, or nothing when the answer had no status of its own. */
export function http(a: Answer): string {
  return a.status ? ` (HTTP ${a.status})` : '';
}

export function permissionDenied(a: Answer): Description {
  if (a.operation === 'subscribe') {
    return {
      kind: 'permission-denied',
      text: `permission denied: you may not manage the API subscriptions of ${a.cell.entityRef} (permission apim.subscriptions.manage): ${a.said}. Ask the entity's owners or your platform team`,
    };
  }
  return {
    kind: 'permission-denied',
    text: `permission denied: you may not ${a.operation} API-M credentials for ${a.cell.entityRef} (permission apim.credentials.provision): ${a.said}. Ask the entity's owners or your platform team`,
  };
}

export function notFound(a: Answer, hint: string): Description {
  return { kind: 'not-found', text: `not found: ${a.said}. ${hint}` };
}

export function conflict(a: Answer, hint: string): Description {
  return { kind: 'conflict', text: `conflict: ${a.said}. ${hint}` };
}

export const REMOVE_FIRST =
  'Remove the existing mapping first (apim:credentials:unprovision, or "Remove" on the entity\'s API-M Credentials tab) or provide the client that is already mapped';

export function apimFailing(a: Answer, hint: string): Description {
  return {
    kind: 'apim-unavailable',
    text: `API-M or the key manager is unreachable or failing${http(a)}: ${
      a.said
    }. ${hint}`,
  };
}

/** The description of an answer without a code: from the HTTP status alone. */
export function describeByStatus(a: Answer): Description {
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
        text: a.status
          ? `the apim-credentials backend answered HTTP ${a.status}${
              a.name ? ` ${a.name}` : ''
            }: ${a.said}`
          : `failed: ${a.said}`,
      };
  }
}
