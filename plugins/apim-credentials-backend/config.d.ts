import type { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';
import type { HumanDuration } from '@backstage/types';

/*
 * Durations are a HumanDuration object (`{ minutes: 5 }`) or a string: ISO 8601 (`PT5M`) or
 * ms-style (`5m`), as everywhere in Backstage. The numeric keys of the previous release
 * (`...Seconds`, `...Minutes`) still work in this release, with a start-up warning naming their
 * replacement; they are not part of this schema.
 */
export interface Config {
  /**
   * Configuration of the apim-credentials plugin (provisioning OAuth2 clients into WSO2 API-M).
   * Required: the backend plugin does not start without it.
   */
  apimCredentials: {
    /** The WSO2 API-M deployments the backend talks to. */
    instances: Array<{
      /** Id referenced by environments. */
      id: string;
      /** API-M base URL, e.g. https://apim.example.com:9443 (devportal at /api/am/devportal/v3). */
      baseUrl: string;
      /** Service account with the Internal/subscriber role. */
      auth: {
        username: string;
        /** @visibility secret */
        password: string;
        /** Optional pre-registered REST client; otherwise one is registered once through DCR. */
        clientId?: string;
        /** @visibility secret */
        clientSecret?: string;
        /** Name used for the DCR client; defaults to backstage_apim_credentials. */
        clientName?: string;
      };
      /**
       * Allow plain `http:` for this instance's baseUrl, its key managers' token endpoints and the
       * origins of its environments' `tokenEndpoints`; default false, in which case `http:` fails
       * start-up. When true, start-up logs a loud warning: passwords, tokens and consumer secrets
       * would cross the network unencrypted. For local development only.
       */
      allowInsecureHttp?: boolean;
      tls?: {
        /** PEM CA certificate(s) to trust for this instance and its key managers. */
        ca?: string;
        /** Defaults to true. Setting false disables certificate checks (logged loudly at start-up). */
        rejectUnauthorized?: boolean;
      };
      /**
       * Per-call timeout for API-M and key manager calls; default `{ seconds: 15 }`, more than 0
       * and at most 5 minutes.
       */
      timeout?: HumanDuration | string;
      /**
       * Settings per key manager of this instance (by its name in API-M). Only needed for key
       * managers that refuse a bare client_credentials request, e.g. Entra ID.
       */
      keyManagers?: Array<{
        /** The key manager's name in API-M, e.g. "AzureAD" or "IS". */
        name: string;
        /**
         * The key manager's token endpoint, instead of the one API-M reports. The Resident Key
         * Manager's defaults to `<baseUrl>/oauth2/token` (API-M reports its own localhost); a
         * reported endpoint on a loopback host of a remote instance is refused without this.
         */
        tokenEndpoint?: string;
        /**
         * What verification's client_credentials request carries besides the client's
         * credentials; also shown in the entity tab's token snippet, so nothing here is secret.
         */
        verification?: {
          /** Sent as `scope`; Entra ID needs `<application id uri>/.default`. */
          scope?: string;
          /** Sent as `audience` (Auth0, some Okta authorization servers). */
          audience?: string;
          /** More form parameters sent as given, e.g. `{ resource: https://api.example.com }` (RFC 8707). */
          extraParams?: { [name: string]: string };
        };
        /**
         * TLS for this key manager's token endpoint, when it differs from the instance's (an IdP
         * behind another private CA). Replaces the instance's `tls` for verification requests to
         * this key manager; `ca` is added to the system's roots, like the instance's.
         */
        tls?: {
          /** PEM certificate(s) of the CA that signed the token endpoint's certificate. */
          ca?: string;
          /** Default: the instance's `tls.rejectUnauthorized`. */
          rejectUnauthorized?: boolean;
        };
      }>;
    }>;
    /** What users pick: an instance plus a key type, optionally limited to some key managers. */
    environments: Array<{
      id: string;
      title?: string;
      instance: string;
      keyType: 'PRODUCTION' | 'SANDBOX';
      /** Allow-list of key manager names offered for this environment. */
      keyManagers?: string[];
      /**
       * Allow-list of token endpoint origins (`https://is.example.com:9443`, no path) that
       * verification may send a client's secret to. When set, any other origin is refused
       * (TOKEN_ENDPOINT_NOT_ALLOWED). When absent, any https origin except the backend's own
       * host or link (localhost, loopback, link-local such as 169.254.169.254) is allowed; those
       * pass only when listed here, or when they are the instance's baseUrl or a configured
       * key manager tokenEndpoint.
       */
      tokenEndpoints?: string[];
      /**
       * Providing keys here needs a second person's approval first (issue 14): an owner's
       * request (credentials verified, the secret not kept) is approved or rejected by someone
       * holding `apim.credentials.approve`, never the requester; the owner then provides the
       * client again to map it.
       */
      approval?: {
        required: boolean;
        /** How long a request stays pending, then approved, before it expires; default 7 days. */
        expiresAfter?: HumanDuration | string;
        /** Entity refs (usually groups) notified of new requests. */
        notify?: string[];
      };
    }>;
    applications?: {
      /** Create the entity's API-M application on first provisioning; default true. */
      createIfMissing?: boolean;
      /** Throttling policy for created applications; default Unlimited. */
      throttlingPolicy?: string;
    };
    /** Subscriptions of entities' applications to API-M APIs (issue 16). */
    subscriptions?: {
      /**
       * Subscription tiers Backstage may use; a subscription takes the first of the API's tiers
       * that is listed here. Default: any tier the API offers.
       */
      allowedTiers?: string[];
    };
    verification?: {
      /** When true, every provisioning first proves the credentials at the key manager. */
      required?: boolean;
    };
    /** Bounded retries of API-M answers that are known to be transient. */
    retries?: {
      /**
       * How long map-keys is retried (with backoff) while API-M refuses a key manager it lists
       * as enabled (WSO2 901403: not loaded yet, CONTRACT.md 14.1); default `{ seconds: 10 }`,
       * at most 2 minutes, `{ seconds: 0 }` to not retry. Replaces `keyManagerNotLoadedSeconds`.
       */
      keyManagerNotLoaded?: HumanDuration | string;
    };
    /**
     * Rate limits, counted in the plugin's database so that all replicas count together. Every
     * value is a whole number of at least 1.
     */
    rateLimits?: {
      /** Length of the counting window of attempts, in seconds; default 60. */
      windowSeconds?: number;
      /** Verification and provisioning attempts (PUT, POST /verify) per user per window; default 30. */
      attemptsPerActor?: number;
      /** Attempts with one consumer key, by anyone, per window; default 10. */
      attemptsPerConsumerKey?: number;
      /**
       * Denied audit rows per user x entity x action per hour; default 10. Further denials are
       * still refused and still reach Backstage's auditor, but add no row until the hour ends.
       */
      deniedAuditRowsPerHour?: number;
    };
    /** How long API-M reads that rarely change are reused. */
    cache?: {
      /** An instance's key manager list; default `{ seconds: 30 }`. Replaces `keyManagersSeconds`. */
      keyManagers?: HumanDuration | string;
      /**
       * An entity's application id; default `{ minutes: 5 }` (a deleted application is noticed
       * at once). Replaces `applicationsSeconds`.
       */
      applications?: HumanDuration | string;
    };
    /** The job that resolves pending audit rows and detects drift. */
    reconcile?: {
      /**
       * When the job runs, as for any Backstage scheduled task (frequency and timeout required
       * when given). Default: frequency `{ minutes: 5 }`, timeout `{ minutes: 10 }`,
       * initialDelay `{ seconds: 30 }`, scope `global`. The frequency must be a duration (not
       * cron nor a manual trigger): the drift check spreads its work over the runs by it.
       * Replaces `frequencyMinutes`.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** Pending rows older than this are resolved; default `{ minutes: 2 }`. Replaces `pendingAfterSeconds`. */
      pendingAfter?: HumanDuration | string;
      /**
       * How far back to look for provisionings that timed out or broke but that API-M completed
       * anyway (they are then recorded); default `{ hours: 1 }`. Replaces
       * `lateMappingWindowMinutes`.
       */
      lateMappingWindow?: HumanDuration | string;
      /**
       * Every recorded mapping's drift check is due within this duration; each run checks a
       * slice (continuing where the last run stopped) so a full pass takes this long. Default
       * `{ days: 1 }`; at least `schedule.frequency`.
       */
      checkEveryMappingWithin?: HumanDuration | string;
      /** API-M calls of the job in flight at once per instance; default 4. */
      maxConcurrency?: number;
      /** API-M calls the job starts per second per instance; default 10. */
      maxRequestsPerSecond?: number;
      /**
       * Consecutive failures (5xx, timeout, unreachable) after which the run skips an instance
       * for the rest of the run, with a warning; its slice is made up next run. Default 5.
       */
      skipInstanceAfterFailures?: number;
    };
  };
}
