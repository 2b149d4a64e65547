/**
 * Sends one notification, if there is one and a notification service: never failing the change
 * that caused it (the change is done and audited); a notification that cannot be sent is logged.
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';

export async function sendSafely(
  deps: { notifications?: NotificationService; logger: LoggerService },
  options: NotificationSendOptions | undefined,
): Promise<void> {
  if (!options || !deps.notifications) return;
  try {
    await deps.notifications.send(options);
  } catch (error) {
    deps.logger.warn(
      `Could not send the notification "${options.payload.title}": ${
        (error as Error).message
      }`,
    );
  }
}
