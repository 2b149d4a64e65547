/**
 * Notifications of the approval flow (issue 14 items 1 and 2): approvers hear of a new request
 * (the entity refs of `approval.notify`, usually the platform team) with a link to the platform
 * page's Approvals tab; the entity's owners hear when a request was approved, rejected or
 * expired, with a link to the entity tab. Never a secret: a request holds none.
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import { sendSafely } from './sendSafely';
import type {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';
import type { ApprovalRequest } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import {
  APIM_CREDENTIALS_NOTIFICATION_TOPIC,
  entityTabLink,
} from './ownerNotifications';

/** The platform page's Approvals tab. */
export const APPROVALS_LINK = '/apim-credentials?tab=approvals';

const describe = (r: ApprovalRequest) =>
  `client "${r.consumerKey}" for ${r.entityRef} in ${r.environment} (${r.keyManager})`;

/** The notification of a new request to the approvers; undefined without approvers. */
export function notificationForRequest(
  request: ApprovalRequest,
  approvers: string[],
): NotificationSendOptions | undefined {
  if (approvers.length === 0) return undefined;
  return {
    recipients: {
      type: 'entity',
      entityRef: approvers,
      excludeEntityRef: request.requestedBy,
    },
    payload: {
      title: `Approval requested: ${request.entityRef} in ${request.environment}`,
      description: `${request.requestedBy} asks to map ${describe(
        request,
      )}. The credentials were verified at the key manager. The request expires ${
        request.expiresAt
      }.`,
      link: APPROVALS_LINK,
      severity: 'normal',
      topic: APIM_CREDENTIALS_NOTIFICATION_TOPIC,
    },
  };
}

/** What became of a decided or expired request, in the owners' words. */
function outcomeText(request: ApprovalRequest): string {
  if (request.state === 'approved') {
    return `approved by ${request.decidedBy}: provide the client again on the entity's API-M Credentials tab to map it before ${request.expiresAt}`;
  }
  if (request.state === 'rejected') {
    const comment = request.comment ? `: ${request.comment}` : '';
    return `rejected by ${request.decidedBy}${comment}`;
  }
  return 'expired before it was used; file a new request if the client is still needed';
}

/** The notification to the entity's owners of a decided or expired request. */
export function notificationForOutcome(
  request: ApprovalRequest,
): NotificationSendOptions {
  const what = outcomeText(request);
  return {
    recipients: {
      type: 'entity',
      entityRef: request.entityRef,
      ...(request.decidedBy ? { excludeEntityRef: request.decidedBy } : {}),
    },
    payload: {
      title: `Approval request ${request.state}: ${request.entityRef} in ${request.environment}`,
      description: `The request to map ${describe(request)} was ${what}.`,
      link: entityTabLink(request.entityRef),
      severity: request.state === 'approved' ? 'normal' : 'high',
      topic: APIM_CREDENTIALS_NOTIFICATION_TOPIC,
    },
  };
}

/** Sends the approval flow's notifications; a failure is logged, never thrown. */
export class ApprovalNotices {
  constructor(
    private readonly deps: {
      notifications?: NotificationService;
      logger: LoggerService;
    },
  ) {}

  requested(request: ApprovalRequest, approvers: string[]): Promise<void> {
    return this.send(notificationForRequest(request, approvers));
  }

  decided(request: ApprovalRequest): Promise<void> {
    return this.send(notificationForOutcome(request));
  }

  expired(request: ApprovalRequest): Promise<void> {
    return this.send(notificationForOutcome(request));
  }

  private send(options: NotificationSendOptions | undefined) {
    return sendSafely(this.deps, options);
  }
}
