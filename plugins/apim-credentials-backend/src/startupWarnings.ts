/**
 * Loud start-up warnings for configurations that are allowed but dangerous, so that an operator
 * reading the backend's log learns what they switched off (issue 10 items 4 and 5), and for keys
 * that still work but go away in the next release (issue 9).
 */
import type { Config } from '@backstage/config';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { ApimCredentialsConfig } from './config';
import { DEPRECATED_CONFIG_KEYS } from './configTimings';

/**
 * Logs a warning per dangerous setting: the permission framework off (`permission.enabled` not
 * true: Backstage then allows every request, so every user may change every entity's
 * credentials), TLS checks off, plain-HTTP API-M or token endpoints allowed, an environment
 * that requires approval but notifies nobody of new requests.
 */
export function warnAboutRiskyConfig(
  root: Config,
  settings: Pick<ApimCredentialsConfig, 'instances' | 'environments'>,
  logger: Pick<LoggerService, 'warn'>,
): void {
  if (root.getOptionalBoolean('permission.enabled') !== true) {
    logger.warn(
      'The permission framework is DISABLED (permission.enabled is not true): every signed-in user may read, provision and remove the API-M credentials of EVERY entity, and read the whole audit log. Set permission.enabled: true and install a policy that decides the apim.* permissions.',
    );
  }
  for (const instance of settings.instances) {
    if (!instance.tls.rejectUnauthorized) {
      logger.warn(
        `TLS certificate checks are OFF for API-M instance "${instance.id}" (apimCredentials.instances[].tls.rejectUnauthorized: false); anyone on the network path can read the consumer secrets sent to it. Configure tls.ca instead.`,
      );
    }
    if (instance.allowInsecureHttp) {
      logger.warn(
        `Plain HTTP is ALLOWED for API-M instance "${instance.id}" and its key managers (apimCredentials.instances[].allowInsecureHttp: true): the service account's password, tokens and consumer secrets may cross the network unencrypted. Use https in production.`,
      );
    }
  }
  settings.environments.forEach((env, i) => {
    if (env.approval && env.approval.notify.length === 0) {
      logger.warn(
        `Environment "${env.id}" requires approval but notifies nobody of new requests (apimCredentials.environments[${i}].approval.notify is empty): requests wait unseen until an approver opens the approvals page. List the approvers' group there, e.g. group:default/platform-team.`,
      );
    }
  });
}

/**
 * Logs one warning per deprecated key that is set under `apimCredentials` (configTimings.ts
 * `DEPRECATED_CONFIG_KEYS`), naming its replacement and the value it would have there. The old
 * key still works in this release when its replacement is absent.
 */
export function warnAboutDeprecatedConfig(
  root: Config,
  logger: Pick<LoggerService, 'warn'>,
): void {
  const config = root.getOptionalConfig('apimCredentials');
  if (!config) return;
  for (const { key, replacement, unit } of DEPRECATED_CONFIG_KEYS) {
    const value = config.getOptional(key);
    if (value === undefined) continue;
    const ignored = config.has(replacement)
      ? ` It is ignored because apimCredentials.${replacement} is set.`
      : '';
    logger.warn(
      `apimCredentials.${key} is deprecated and will be removed in the next release: use apimCredentials.${replacement} instead, a duration such as { ${unit}: ${JSON.stringify(
        value,
      )} }.${ignored}`,
    );
  }
}
