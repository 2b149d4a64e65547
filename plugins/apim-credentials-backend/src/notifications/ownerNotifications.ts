/**
 * Notifications to entity owners (issue 14 item 2), through Backstage's notification service:
 * a mapping of their entity was removed or changed by someone else, the drift job found it
 * changed outside Backstage, or the entity's application binding changed. Each notification
 * links to the entity's API-M Credentials tab and names the environment, key manager and client;
 * none carries a secret (nothing here ever sees one).
 *
 * Recipients are the entity (the notifications backend resolves a component to its owners)
 * minus the person who acted, who knows already.
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import { sendSafely } from './sendSafely';
import { parseEntityRef } from '@backstage/catalog-model';
import type {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';
import type {
  AuditAction,
  AuditOutcome,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';

/** The topic every notification of this plugin carries, for users' notification settings. */
export const APIM_CREDENTIALS_NOTIFICATION_TOPIC = 'apim-credentials';

/** What a completed audit row says; the fields a notification needs. */
export interface AuditedChange {
  action: AuditAction;
  outcome: AuditOutcome;
  actor: string;
  entityRef?: string;
  environment?: string;
  keyManager?: string;
  consumerKey?: string;
  applicationName?: string;
  dryRun?: boolean;
}

/** A mapping the drift job found changed outside Backstage. */
export interface DriftFound {
  entityRef: string;
  environment: string;
  keyManager: string;
  /** The client Backstage recorded. */
  consumerKey: string;
  /** What the job observed, in words (the mapping's drift reason). */
  reason: string;
}

/**
 * The entity tab of `entityRef`, relative to the app (the notifications frontend resolves it
 * against the app's base URL).
 */
export function entityTabLink(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${[namespace, kind.toLocaleLowerCase('en-US'), name]
    .map(encodeURIComponent)
    .join('/')}/apim-credentials`;
}

/**
 * The notification an audited change deserves, or `undefined`: only changes that happened
 * (`succeeded`, not a dry run) to an entity's mappings or binding; verifications, denials,
 * failures and unchanged answers change nothing an owner must hear about.
 */
export function notificationForChange(
  change: AuditedChange,
): NotificationSendOptions | undefined {
  const { entityRef } = change;
  if (!entityRef || change.outcome !== 'succeeded' || change.dryRun)
    return undefined;
  const where = `${change.environment ?? 'an environment'} (${
    change.keyManager ?? 'key manager'
  })`;
  const client = change.consumerKey ? ` client "${change.consumerKey}"` : '';
  const texts: Partial<Record<AuditAction, { title: string; what: string }>> = {
    provision: {
      title: `API-M credentials of ${entityRef} changed`,
      what: `mapped${client} into ${where}`,
    },
    unprovision: {
      title: `API-M credentials of ${entityRef} removed`,
      what: `removed the mapping of${client} in ${where}`,
    },
    bind: {
      title: `API-M application of ${entityRef} bound`,
      what: `bound API-M application "${change.applicationName}" to it`,
    },
    unbind: {
      title: `API-M application of ${entityRef} unbound`,
      what: `unbound API-M application "${change.applicationName}" from it`,
    },
  };
  const text = texts[change.action];
  if (!text) return undefined;
  return {
    recipients: {
      type: 'entity',
      entityRef,
      excludeEntityRef: change.actor,
    },
    payload: {
      title: text.title,
      description: `${change.actor} ${text.what}. The audit log on the entity's API-M Credentials tab has the details.`,
      link: entityTabLink(entityRef),
      severity: change.action === 'unprovision' ? 'high' : 'normal',
      topic: APIM_CREDENTIALS_NOTIFICATION_TOPIC,
    },
  };
}

/** The notification of a mapping the drift job found changed outside Backstage. */
export function notificationForDrift(
  drift: DriftFound,
): NotificationSendOptions {
  return {
    recipients: { type: 'entity', entityRef: drift.entityRef },
    payload: {
      title: `API-M credentials of ${drift.entityRef} changed outside Backstage`,
      description: `In ${drift.environment} (${drift.keyManager}), the mapping of client "${drift.consumerKey}" no longer matches API-M: ${drift.reason}. Remove the stale record or provide the client again on the entity's API-M Credentials tab.`,
      link: entityTabLink(drift.entityRef),
      severity: 'high',
      topic: APIM_CREDENTIALS_NOTIFICATION_TOPIC,
    },
  };
}

/**
 * Sends owner notifications. Sending never fails the change that caused it: the change is
 * done and audited; a notification that cannot be sent is logged.
 */
export class OwnerNotifier {
  constructor(
    private readonly deps: {
      notifications?: NotificationService;
      logger: LoggerService;
    },
  ) {}

  /** After an audit row is completed. */
  async changed(change: AuditedChange): Promise<void> {
    await this.send(notificationForChange(change));
  }

  /** When the drift job flags a mapping. */
  async drifted(drift: DriftFound): Promise<void> {
    await this.send(notificationForDrift(drift));
  }

  private send(options: NotificationSendOptions | undefined) {
    return sendSafely(this.deps, options);
  }
}
