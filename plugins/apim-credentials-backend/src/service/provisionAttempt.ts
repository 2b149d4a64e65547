/**
 * One provisioning attempt under the cell's lock: the credentials proven when asked, the
 * application found or created, map-keys called and its answer settled (mapKeysOutcome) into a
 * mapping to record or the error to fail with (CONTRACT.md 6.5, 14.1).
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  ProvisionResult,
  VerifyResult,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { ApimClient } from '../apim/ApimClient';
import { ApimError } from '../apim/ApimError';
import type {
  ApimApplication,
  ApimApplicationKey,
  ApimKeyManager,
} from '../apim/types';
import type { ApimCredentialsConfig, EnvironmentConfig } from '../config';
import type { MappingStore, MappingUpsert } from '../database/MappingStore';
import { UpstreamError } from '../errors';
import type { ApimDirectory } from './ApimDirectory';
import type { ApplicationResolver } from './applicationResolver';
import { CredentialCheck, refusal } from './credentialCheck';
import {
  keyManagerBehindApimError,
  mapKeysWhenLoaded,
} from './mapKeysFailures';
import { conflictError, mapKeysOutcome } from './mapKeysOutcome';
import { mappingOf } from './mappingOf';
import type { Attempt, Caller, ProvisionInput } from './provisioningTypes';
import { assertNotRejected, pendingApplicationWarning } from './releaseCaveats';

export class ProvisionAttempt {
  constructor(
    private readonly deps: {
      config: ApimCredentialsConfig;
      mappings: Pick<MappingStore, 'getMappingsForEntity'>;
      directory: ApimDirectory;
      applications: ApplicationResolver;
      credentials: CredentialCheck;
      logger: LoggerService;
    },
  ) {}

  /**
   * The part of a provisioning that runs under the cell's lock: verification (when asked or
   * required), the application, map-keys. Returns the result and the mapping row to record;
   * the caller writes it together with the audit row's completion.
   *
   * @throws the attempt's error, for the caller to audit and translate
   */
  async run(
    input: ProvisionInput,
    env: EnvironmentConfig,
    client: ApimClient,
    caller: Caller,
    auditId: string,
    km: ApimKeyManager,
    attempt: Attempt,
  ): Promise<{ result: ProvisionResult; mapping?: MappingUpsert }> {
    if (input.verify || this.deps.config.verification.required) {
      const check = await this.deps.credentials.run(env, km, input);
      if (!check.ok) throw refusal(check);
      attempt.verified = true;
    }
    let app = await this.deps.applications.resolve(
      input,
      env,
      client,
      caller,
      attempt,
      km,
    );
    if (
      app.status &&
      app.status.toUpperCase() !== 'APPROVED' &&
      !attempt.createdApp
    ) {
      // A cached pending status may be stale: an admin may have approved or rejected it since.
      this.deps.directory.forgetApplication(client, app.name);
      app =
        (await this.deps.directory.findApplication(client, app.name)) ?? app;
    }
    assertNotRejected(app, env.instance);
    const resolved = app;
    const warning = pendingApplicationWarning(resolved);
    const result = (
      key: ApimApplicationKey,
      status: 'created' | 'unchanged',
    ): ProvisionResult => ({
      status,
      entityRef: input.entityRef,
      environment: env.id,
      keyManager: km.name,
      keyType: env.keyType,
      applicationId: resolved.applicationId,
      applicationName: resolved.name,
      consumerKey: key.consumerKey,
      keyMappingId: key.keyMappingId,
      grantTypes: key.supportedGrantTypes,
      auditId,
      ...(resolved.status ? { applicationStatus: resolved.status } : {}),
      ...(warning ? { warning } : {}),
    });
    /** What the mapping table should say after this call; written by the caller. */
    const record = (key: ApimApplicationKey): MappingUpsert =>
      mappingOf({
        entityRef: input.entityRef,
        env,
        app: resolved,
        // map-keys echoes the name or UUID it was sent; the listing holds the name.
        key: { ...key, keyManager: km.name },
        provisionedBy: caller.userEntityRef,
        provisionedAt: new Date(),
      });

    const outcome = await this.mapKeys(
      input,
      env,
      client,
      km,
      resolved,
      attempt,
    );
    switch (outcome.kind) {
      case 'created':
        return {
          result: result(outcome.key, 'created'),
          mapping: record(outcome.key),
        };
      case 'unchanged': {
        // Idempotent success; the table gets the row only when it lacks it.
        const existing = (
          await this.deps.mappings.getMappingsForEntity(input.entityRef)
        ).find(
          m =>
            m.environment === env.id &&
            m.keyManager === km.name &&
            m.consumerKey === outcome.key.consumerKey,
        );
        return {
          result: result(outcome.key, 'unchanged'),
          mapping: existing ? undefined : record(outcome.key),
        };
      }
      case 'leftover-mapping':
        this.deps.logger.warn(
          `map-keys for ${input.entityRef} in ${env.id}/${km.name} failed after writing the mapping (${outcome.error.message}); keeping the mapping ${outcome.key.keyMappingId}`,
        );
        return {
          result: result(outcome.key, 'created'),
          mapping: record(outcome.key),
        };
      default:
        throw outcome.error;
    }
  }

  /**
   * Calls map-keys and settles what it answered (mapKeysOutcome) into a mapping to record, or
   * the error to fail with. The key manager is asked only where WSO2's answer cannot tell a
   * refused client from a failing key manager (CONTRACT.md 6.5, 14.1).
   */
  private async mapKeys(
    input: ProvisionInput,
    env: EnvironmentConfig,
    client: ApimClient,
    km: ApimKeyManager,
    app: ApimApplication,
    attempt: Attempt,
  ): Promise<
    | { kind: 'created' | 'unchanged'; key: ApimApplicationKey }
    | { kind: 'leftover-mapping'; key: ApimApplicationKey; error: ApimError }
    | { kind: 'failed'; error: unknown }
  > {
    let key: ApimApplicationKey;
    try {
      key = await mapKeysWhenLoaded(
        {
          directory: this.deps.directory,
          client,
          env,
          keyManager: km.name,
          budgetMs: this.deps.config.retries.keyManagerNotLoadedMs,
        },
        () =>
          client.mapKeys(app.applicationId, {
            consumerKey: input.consumerKey,
            consumerSecret: input.consumerSecret,
            keyManager: km.name,
            keyType: env.keyType,
          }),
      );
    } catch (error) {
      if (!(error instanceof ApimError)) throw error;
      const keys = await client
        .listOAuthKeys(app.applicationId)
        .catch(() => undefined);
      const wanted = {
        consumerKey: input.consumerKey,
        keyManager: km.name,
        keyType: env.keyType,
      };
      const outcome = mapKeysOutcome({ error }, keys, wanted);
      const verified = attempt.verified === true;
      // The backend's own question to the key manager; never maps anything.
      let ownCheck: (() => Promise<VerifyResult>) | undefined;
      if (verified) {
        // Verified moments ago: the key manager answered the backend and accepted them.
        ownCheck = async () => ({ ok: true } as VerifyResult);
      } else if (km.tokenEndpoint && !km.tokenEndpointRefused) {
        ownCheck = () => this.deps.credentials.run(env, km, input);
      }
      switch (outcome.kind) {
        case 'unchanged':
          return outcome;
        case 'leftover-mapping':
          return { ...outcome, error };
        case 'key-manager-unreachable-from-apim':
          return {
            kind: 'failed',
            error: await keyManagerBehindApimError(
              env,
              km.name,
              ownCheck,
              refusal,
              error,
            ),
          };
        case 'other-key-type':
        case 'slot-taken':
        case 'other-application':
          return {
            kind: 'failed',
            error: conflictError(outcome, {
              ...wanted,
              environment: env.id,
              applicationName: app.name,
            }),
          };
        case 'opaque-900967': {
          if (!verified && km.tokenEndpoint) {
            // Wrong secret, unknown client and failing key manager look alike: ask it.
            const check = await this.deps.credentials
              .run(env, km, input)
              .catch(() => undefined);
            if (check && !check.ok)
              return { kind: 'failed', error: refusal(check) };
          }
          return {
            kind: 'failed',
            error: new UpstreamError(
              `API-M could not validate the client against key manager "${km.name}" (WSO2 code 900967, "General Error") although the key manager accepts the credentials; check API-M's configuration of that key manager and API-M's server log`,
              502,
              'APIM_900967',
            ),
          };
        }
        default:
          return { kind: 'failed', error };
      }
    }
    return { kind: 'created', key };
  }
}
