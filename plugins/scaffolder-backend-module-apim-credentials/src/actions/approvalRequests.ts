/**
 * `apim:credentials:provision` in an environment that requires approval (issue 14 item 1): the
 * backend answers 202 with an approval request instead of a mapping until an approver approved
 * a request for exactly that cell and client. The step does not fail then: it reports the
 * request (ids and state only; a request holds no secret) so that the template can tell the
 * user, and running the task again after the approval maps the client.
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  isProvisionRequested,
  ProvisionAnswer,
  ProvisionRequested,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { Cell, describeCell } from './cell';
import { ProvisionCheckpoint, toCheckpoint } from './provisionResults';

/** What the step keeps and outputs of a request: ids and state, never the secret. */
export interface ApprovalOutcome {
  status: 'approval-pending';
  environment: string;
  keyManager: string;
  consumerKey: string;
  requestId: string;
  /** `pending` (an approver has not decided yet). */
  state: string;
  /** ISO 8601; the request can no longer be approved or used after it. */
  expiresAt: string;
}

/** One environment's outcome: the mapping, or the approval request the backend filed. */
export type EnvironmentOutcome = ProvisionCheckpoint | ApprovalOutcome;

export function isApprovalOutcome(
  outcome: EnvironmentOutcome,
): outcome is ApprovalOutcome {
  return outcome.status === 'approval-pending';
}

function toApprovalOutcome(answer: ProvisionRequested): ApprovalOutcome {
  const { request } = answer;
  return {
    status: 'approval-pending',
    environment: request.environment,
    keyManager: request.keyManager,
    consumerKey: request.consumerKey,
    requestId: request.id,
    state: request.state,
    expiresAt: request.expiresAt,
  };
}

/**
 * Thrown inside the cell's checkpoint for a filed request, and caught right outside it: the
 * scaffolder keeps a checkpoint's value only when its function returns, so a retry of the task
 * (after the approval) asks the backend again instead of replaying "pending". The message, which
 * the scaffolder stores as the checkpoint's failure reason, holds ids only.
 */
export class ApprovalPending extends Error {
  constructor(readonly outcome: ApprovalOutcome) {
    super(
      `Approval request ${outcome.requestId} for client ${outcome.consumerKey} is ${outcome.state}`,
    );
    this.name = 'ApprovalPending';
  }
}

/** The mapping as a checkpoint; throws ApprovalPending for a filed (or pending) request. */
export function mappingOrPending(answer: ProvisionAnswer): ProvisionCheckpoint {
  if (isProvisionRequested(answer)) {
    throw new ApprovalPending(toApprovalOutcome(answer));
  }
  return toCheckpoint(answer);
}

/** Runs the cell's checkpointed provisioning; a filed request is the outcome, not a failure. */
export async function settleApproval(
  provision: () => Promise<ProvisionCheckpoint>,
): Promise<EnvironmentOutcome> {
  try {
    return await provision();
  } catch (error) {
    if (error instanceof ApprovalPending) return error.outcome;
    throw error;
  }
}

/** A dry run's answer: the plan, or the request that is pending already. */
export function dryRunOutcome(answer: ProvisionAnswer): EnvironmentOutcome {
  return isProvisionRequested(answer)
    ? toApprovalOutcome(answer)
    : toCheckpoint(answer);
}

/** Tells the task log what the request means and what to do next. */
export function logApprovalOutcome(
  logger: LoggerService,
  cell: Cell,
  outcome: ApprovalOutcome,
  dryRun: boolean,
): void {
  const where = describeCell(cell);
  logger.info(
    `${dryRun ? 'Dry run: ' : ''}${where} requires approval: request ${
      outcome.requestId
    } for client ${outcome.consumerKey} is ${outcome.state} (expires ${
      outcome.expiresAt
    }). Nothing is mapped there yet: once someone holding apim.credentials.approve (not you) approves it, run the task again with the same client and secret to map it`,
  );
}

/** The `approvals` output: one entry per environment waiting for approval. */
export function approvalsOutput(outcomes: EnvironmentOutcome[]) {
  return outcomes.filter(isApprovalOutcome).map(o => ({
    environment: o.environment,
    keyManager: o.keyManager,
    consumerKey: o.consumerKey,
    requestId: o.requestId,
    state: o.state,
    expiresAt: o.expiresAt,
  }));
}
