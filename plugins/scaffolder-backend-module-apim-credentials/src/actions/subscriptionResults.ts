/**
 * What `apim:subscriptions:sync` outputs per API and environment, and the description of the APIs
 * a sync could not change. The backend answers a sync with 200 and one result per API, a failed
 * one carrying the backend's stable error code (`{ code, message }`, no HTTP status of its own):
 * the code decides the words, as for every other answer (failureCodes.ts).
 */
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  isApimCredentialsErrorCode,
  SubscriptionSyncItem,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { describeCell, Target } from './cell';
import { describeByCode } from './failureCodes';
import { Answer, describeByStatus, FailureKind } from './failureTexts';
import type { CellFailure } from './failures';

/** One API's result in one environment, as the action outputs it (`results`). */
export type SyncResult = {
  environment: string;
  /** The API entity; absent for an undeclared subscription no entity names. */
  apiRef?: string;
  apiId?: string;
  action: 'subscribe' | 'unsubscribe';
  /** `planned` in a dry run. */
  outcome: 'succeeded' | 'unchanged' | 'failed' | 'planned';
  /** The backend's stable error code of a failed API (`ApimCredentialsErrorCode`). */
  code?: string;
  /** What went wrong, described from `code`. */
  error?: string;
};

/**
 * Thrown inside an environment's checkpoint when some APIs failed: a failed run is not
 * checkpointed (a retry runs the idempotent sync again), and the environment's other results are
 * still output.
 */
export class ApisFailedError extends Error {
  constructor(readonly results: SyncResult[], readonly failure: CellFailure) {
    super(failure.message);
    this.name = 'ApisFailedError';
  }
}

/** `orders-api` / `api:orders-api` -> `api:default/orders-api`; InputError naming `apis`. */
export function normaliseApiRef(ref: string): string {
  try {
    const parsed = parseEntityRef(ref.trim(), {
      defaultKind: 'api',
      defaultNamespace: 'default',
    });
    if (parsed.kind.toLocaleLowerCase('en-US') !== 'api')
      throw new Error('not an API entity');
    return stringifyEntityRef(parsed).toLocaleLowerCase('en-US');
  } catch (e) {
    throw new InputError(
      `apis: "${ref}" is not an API entity ref such as "api:default/orders-api" (${
        (e as Error).message
      })`,
    );
  }
}

/**
 * The action's results for the backend's sync items of one environment, and, when some failed,
 * the environment's failure: it lists each failed API with what to do about it (described from
 * its code, not only what API-M said); its kind and code are the APIs' own when they all share one
 * (so the step's error class follows them, see failures.ts `toError`), else `unexpected`.
 */
export function toSyncResults(
  target: Target,
  items: SubscriptionSyncItem[],
  dryRun: boolean,
): { results: SyncResult[]; failure?: CellFailure } {
  const kinds = new Set<FailureKind>();
  const codes = new Set<string | undefined>();
  const results = items.map(item => {
    const result: SyncResult = {
      environment: target.environment,
      ...(item.apiRef ? { apiRef: item.apiRef } : {}),
      ...(item.apiId ? { apiId: item.apiId } : {}),
      action: item.action,
      outcome: dryRun ? 'planned' : item.outcome ?? 'failed',
    };
    if (result.outcome === 'failed') {
      const code = item.error?.code;
      const { kind, text } = describeItem(target, item);
      kinds.add(kind);
      codes.add(code);
      result.error = text;
      if (code) result.code = code;
    }
    return result;
  });
  if (!kinds.size) return { results };
  const [kind] = kinds;
  const [code] = codes;
  return {
    results,
    failure: {
      kind: kinds.size === 1 ? kind : 'unexpected',
      ...(codes.size === 1 && isApimCredentialsErrorCode(code) ? { code } : {}),
      message: `${describeCell(target)}: ${results
        .filter(r => r.outcome === 'failed')
        .map(r => `${r.action} ${r.apiRef ?? r.apiId}: ${r.error}`)
        .join('; ')}`,
    },
  };
}

function describeItem(
  target: Target,
  item: SubscriptionSyncItem,
): { kind: FailureKind; text: string } {
  const answer: Answer = {
    cell: target,
    operation: 'subscribe',
    said: item.error?.message ?? 'no reason given',
    name: '',
  };
  const code = item.error?.code;
  return isApimCredentialsErrorCode(code)
    ? describeByCode(code, answer)
    : describeByStatus(answer);
}

/** What an environment that succeeded did, for the step's error when another one failed. */
export function summarise(results: SyncResult[]): string {
  if (!results.length) return 'in sync, nothing to change';
  const count = (outcome: SyncResult['outcome']) =>
    results.filter(r => r.outcome === outcome).length;
  return [
    ['succeeded', count('succeeded')],
    ['unchanged', count('unchanged')],
    ['planned', count('planned')],
  ]
    .filter(([, n]) => n)
    .map(([what, n]) => `${n} ${what}`)
    .join(', ');
}
