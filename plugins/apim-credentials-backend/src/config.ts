/**
 * Reads and checks the `apimCredentials` configuration at start-up, so that a mistake fails the
 * backend with a message naming the key instead of surfacing at the first request.
 */
import { Config } from '@backstage/config';
import {
  KEY_TYPES,
  KeyType,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import {
  KeyManagerSettings,
  readKeyManagerSettings,
} from './keymanager/tokenRequestConfig';
import {
  TokenEndpointPolicy,
  readTokenEndpointPolicy,
} from './keymanager/tokenEndpointPolicy';
import {
  readInstanceTimeoutMs,
  readTimingSettings,
  TimingSettings,
} from './configTimings';
import { ApprovalSettings, readApprovalSettings } from './approvalConfig';
import { checkHttpUrl, checkUniqueIds } from './configChecks';

export interface InstanceConfig {
  id: string;
  baseUrl: string;
  auth: {
    username: string;
    password: string;
    clientId?: string;
    clientSecret?: string;
    clientName: string;
  };
  tls: { ca?: string; rejectUnauthorized: boolean };
  /** `http:` base URL and token endpoints allowed (issue 10 item 4); warned about at start-up. */
  allowInsecureHttp: boolean;
  timeoutMs: number;
  /** Per key manager token request settings (scope, audience...), in config order. */
  keyManagers?: KeyManagerSettings[];
}

export interface EnvironmentConfig {
  id: string;
  title: string;
  instance: string;
  keyType: KeyType;
  keyManagers?: string[];
  /**
   * Where verification may send secrets (keymanager/tokenEndpointPolicy.ts); always set by
   * readApimCredentialsConfig. Absent (hand-built configs): only non-local https endpoints.
   */
  tokenEndpointPolicy?: TokenEndpointPolicy;
  /** Set when providing keys here needs an approver's approval first (issue 14). */
  approval?: ApprovalSettings;
}

export interface ApimCredentialsConfig {
  instances: InstanceConfig[];
  environments: EnvironmentConfig[];
  applications: { createIfMissing: boolean; throttlingPolicy: string };
  verification: { required: boolean };
  /** Bounded retries of transient API-M answers (CONTRACT.md 14.1). */
  retries: TimingSettings['retries'];
  reconcile: TimingSettings['reconcile'] & {
    /** API-M calls of the job in flight per instance. */
    maxConcurrency: number;
    /** API-M calls the job starts per second per instance. */
    maxRequestsPerSecond: number;
    /** Consecutive failures of an instance after which the run skips it. */
    skipInstanceAfterFailures: number;
  };
  cache: TimingSettings['cache'];
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

export function readApimCredentialsConfig(root: Config): ApimCredentialsConfig {
  const config = root.getConfig('apimCredentials');
  const fail = (key: string, why: string): never => {
    throw new Error(`Invalid configuration at apimCredentials.${key}: ${why}`);
  };

  /** `<key>.id` of an instance or environment. */
  const readId = (c: Config, key: string) => {
    const id = c.getString('id');
    if (!ID.test(id))
      fail(`${key}.id`, `"${id}" must be letters, digits, "-" or "_"`);
    return id;
  };

  const instances = config.getConfigArray('instances').map((c, i) => {
    const key = `instances[${i}]`;
    const id = readId(c, key);
    const baseUrl = c.getString('baseUrl').replace(/\/+$/, '');
    const url = checkHttpUrl(baseUrl, `${key}.baseUrl`, fail);
    // The service account's password and every secret cross this connection (issue 10 item 4).
    const allowInsecureHttp =
      c.getOptionalBoolean('allowInsecureHttp') ?? false;
    if (url.protocol === 'http:' && !allowInsecureHttp) {
      fail(
        `${key}.baseUrl`,
        `"${baseUrl}" is plain http; use https, or set ${key}.allowInsecureHttp: true (not for production)`,
      );
    }
    const clientId = c.getOptionalString('auth.clientId');
    const clientSecret = c.getOptionalString('auth.clientSecret');
    if (Boolean(clientId) !== Boolean(clientSecret)) {
      fail(`${key}.auth`, 'clientId and clientSecret must be given together');
    }
    return {
      id,
      baseUrl,
      auth: {
        username: c.getString('auth.username'),
        password: c.getString('auth.password'),
        clientId: clientId || undefined,
        clientSecret: clientSecret || undefined,
        clientName:
          c.getOptionalString('auth.clientName') ??
          'backstage_apim_credentials',
      },
      tls: {
        ca: c.getOptionalString('tls.ca'),
        rejectUnauthorized:
          c.getOptionalBoolean('tls.rejectUnauthorized') ?? true,
      },
      timeoutMs: readInstanceTimeoutMs(c, key, fail),
      allowInsecureHttp,
      keyManagers: readKeyManagerSettings(c, key, fail),
    };
  });
  config.getConfigArray('instances').forEach((c, i) =>
    c.getOptionalConfigArray('keyManagers')?.forEach((km, j) => {
      const endpoint = km.getOptionalString('tokenEndpoint')?.trim();
      if (
        endpoint?.toLowerCase().startsWith('http:') &&
        !instances[i].allowInsecureHttp
      ) {
        fail(
          `instances[${i}].keyManagers[${j}].tokenEndpoint`,
          `"${endpoint}" is plain http; use https, or set instances[${i}].allowInsecureHttp: true (not for production)`,
        );
      }
    }),
  );
  const instanceIds = checkUniqueIds(instances, 'instances', 'instance', fail);

  const environments = config.getConfigArray('environments').map((c, i) => {
    const key = `environments[${i}]`;
    const id = readId(c, key);
    const instance = c.getString('instance');
    if (!instanceIds.has(instance)) {
      fail(
        `${key}.instance`,
        `"${instance}" is not one of the instances (${[...instanceIds].join(
          ', ',
        )})`,
      );
    }
    const keyType = c.getString('keyType').toUpperCase();
    if (!(KEY_TYPES as readonly string[]).includes(keyType)) {
      fail(`${key}.keyType`, `"${keyType}" must be PRODUCTION or SANDBOX`);
    }
    return {
      id,
      title: c.getOptionalString('title') ?? id,
      instance,
      keyType: keyType as KeyType,
      keyManagers: c.getOptionalStringArray('keyManagers'),
      tokenEndpointPolicy: readTokenEndpointPolicy(
        c.getOptionalStringArray('tokenEndpoints'),
        key,
        instances.find(inst => inst.id === instance)!,
        fail,
      ),
      approval: readApprovalSettings(c, key, fail),
    };
  });
  checkUniqueIds(environments, 'environments', 'environment', fail);

  const timings = readTimingSettings(config, fail);
  return {
    instances,
    environments,
    applications: {
      createIfMissing:
        config.getOptionalBoolean('applications.createIfMissing') ?? true,
      throttlingPolicy:
        config.getOptionalString('applications.throttlingPolicy') ??
        'Unlimited',
    },
    verification: {
      required: config.getOptionalBoolean('verification.required') ?? false,
    },
    ...timings,
    reconcile: { ...timings.reconcile, ...readReconcileScale(config, fail) },
  };
}

/**
 * The drift job's scale settings (issue 11): how hard the job may press each API-M instance. Bad
 * values fail start-up naming the key.
 */
function readReconcileScale(
  config: Config,
  fail: (key: string, why: string) => never,
) {
  const positive = (name: string, fallback: number, integer: boolean) => {
    const value = config.getOptionalNumber(`reconcile.${name}`) ?? fallback;
    if (!(value > 0) || (integer && !Number.isInteger(value))) {
      fail(
        `reconcile.${name}`,
        `must be a positive ${integer ? 'integer' : 'number'}`,
      );
    }
    return value;
  };
  return {
    maxConcurrency: positive('maxConcurrency', 4, true),
    maxRequestsPerSecond: positive('maxRequestsPerSecond', 10, false),
    skipInstanceAfterFailures: positive('skipInstanceAfterFailures', 5, true),
  };
}
