/**
 * Provisioning an existing OAuth2 client into an entity's API-M application, per environment
 * and key manager: verify (optional), resolve or create the application, map idempotently, and
 * unprovision. Every attempt is an audit row that is written `pending` before API-M is called
 * and completed after. (The reads behind the entity tab are in CredentialsReader.)
 *
 * The consumer secret is a parameter of `provision` and `verify` only: it goes to the key
 * manager and to API-M's map-keys, and nowhere else (no log, row, error or response).
 */
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { LoggerService } from '@backstage/backend-plugin-api';
import type {
  AuditSource,
  ProvisionResult,
  UnprovisionResult,
  VerifyResult,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { ApimClient } from '../apim/ApimClient';
import { ApimError } from '../apim/ApimError';
import type {
  ApimApplication,
  ApimApplicationKey,
  ApimKeyManager,
} from '../apim/types';
import type { ApimCredentialsConfig, EnvironmentConfig } from '../config';
import {
  ApimCredentialsStore,
  AuditStart,
  MappingUpsert,
} from '../database/ApimCredentialsStore';
import { CredentialVerifier } from '../keymanager/CredentialVerifier';
import { KeyManagerNeedsScopeError } from '../keymanager/errors';
import { tokenRequestSettings } from '../keymanager/tokenRequestConfig';
import {
  policyOf,
  tokenEndpointRefusal,
} from '../keymanager/tokenEndpointPolicy';
import { ApimDirectory } from './ApimDirectory';
import {
  assertApplicationName,
  caseConflictError,
  findCaseVariant,
} from './applicationNames';
import { hiddenMapping } from './disabledKeyManagers';
import {
  classifyMapKeysFailure,
  keyManagerBehindApimError,
  mapKeysWhenLoaded,
} from './mapKeysFailures';
import { mappingOf } from './mappingOf';
import { translateError } from './translateError';
import { describeKeyManager } from './describeKeyManager';
import { ApplicationBindings } from './ApplicationBindings';
import { isBindingDenial } from './bindingErrors';
import { checkRemoval } from './removalRules';
import {
  discardCreatedApplication,
  isConclusiveFailure,
} from './discardCreatedApplication';
import {
  assertNotRejected,
  cleanUpWarning,
  isUnknownTier,
  keyManagerNotVisible,
  pendingApplicationWarning,
  unknownTierError,
} from './releaseCaveats';
import { applicationNameKey } from '../database/ApplicationBindingStore';
import { UpstreamError, VerificationFailedError, coded } from '../errors';

/** Who is asking, and through which path; recorded on every audit row. */
export interface Caller {
  userEntityRef: string;
  source: AuditSource;
  via?: string;
  taskId?: string;
  requestId?: string;
}

export interface Cell {
  entityRef: string;
  /** From the entity's wso2.com/apim-application annotation. */
  applicationName: string;
  environment: string;
  keyManager: string;
}

export interface ProvisionInput extends Cell {
  consumerKey: string;
  consumerSecret: string;
  verify?: boolean;
  /** Per call override of applications.createIfMissing; can only restrict it. */
  createApplication?: boolean;
  dryRun?: boolean;
}

/** A ProvisionResult whose status was predicted, not performed (dry run). */
export type ProvisionOutcome = ProvisionResult & { dryRun?: boolean };

export class ProvisioningService {
  private readonly directory: ApimDirectory;

  constructor(
    private readonly deps: {
      config: ApimCredentialsConfig;
      clients: Map<string, ApimClient>;
      store: ApimCredentialsStore;
      verifier: CredentialVerifier;
      logger: LoggerService;
      directory?: ApimDirectory;
      /** The binding rules (issue 10 item 1), checked again under the provisioning lock. */
      bindings: ApplicationBindings;
    },
  ) {
    this.directory =
      deps.directory ??
      new ApimDirectory({
        keyManagerTtlMs: deps.config.cache.keyManagersSeconds * 1000,
        applicationTtlMs: deps.config.cache.applicationsSeconds * 1000,
      });
  }

  get config() {
    return this.deps.config;
  }

  /** The environment with this id, or a 404 naming the ones that exist. */
  environment(id: string): EnvironmentConfig {
    const env = this.deps.config.environments.find(e => e.id === id);
    if (!env) {
      throw coded(
        new NotFoundError(
          `Unknown environment "${id}"; configured environments are ${this.deps.config.environments
            .map(e => e.id)
            .join(', ')}`,
        ),
        'UNKNOWN_ENVIRONMENT',
      );
    }
    return env;
  }

  private client(env: EnvironmentConfig): ApimClient {
    return this.deps.clients.get(env.instance)!;
  }

  // ---- verify ------------------------------------------------------------------------------

  /** Checks the key manager is offered for the environment and returns it (400 otherwise). */
  async offeredKeyManager(
    env: EnvironmentConfig,
    name: string,
    refreshed = false,
  ): Promise<ApimKeyManager> {
    const kms = refreshed
      ? await this.directory.refreshKeyManagers(this.client(env), 1000)
      : await this.directory.listKeyManagers(this.client(env));
    const km = kms.find(k => k.name === name);
    if (!refreshed && !(km && describeKeyManager(env, km).mappingAllowed)) {
      // A cached "missing" or "disabled" may predate an admin's fix: look once more.
      return this.offeredKeyManager(env, name, true);
    }
    const offered = kms
      .filter(k => describeKeyManager(env, k).mappingAllowed)
      .map(k => k.name);
    if (!km) throw keyManagerNotVisible(env, name, offered);
    const info = describeKeyManager(env, km);
    if (!info.mappingAllowed) {
      throw coded(
        new InputError(
          `Key manager "${name}" is not offered for environment "${env.id}": ${
            info.reason
          }; it offers ${offered.join(', ') || 'none'}`,
        ),
        'KEY_MANAGER_NOT_OFFERED',
      );
    }
    return km;
  }

  async verify(
    input: {
      environment: string;
      keyManager: string;
      consumerKey: string;
      consumerSecret: string;
      entityRef?: string;
      applicationName?: string;
    },
    caller: Caller,
    options: { dryRun?: boolean } = {},
  ): Promise<VerifyResult> {
    const env = this.environment(input.environment);
    const checked = await this.checkKeyManager(env, input.keyManager);
    const auditId = await this.deps.store.startAudit({
      ...this.auditStart('verify', env, input, caller),
      dryRun: options.dryRun,
    });
    try {
      if (checked.error) throw checked.error;
      // Offered-key-manager checks always return the key manager when they pass.
      const km = checked.km!;
      const result = await this.runVerification(env, km, input);
      await this.deps.store.completeAudit(auditId, {
        outcome: result.ok ? 'succeeded' : 'failed',
        errorCode: result.ok ? undefined : result.code ?? 'VERIFICATION_FAILED',
        errorMessage: result.ok ? undefined : result.message,
      });
      return result;
    } catch (error) {
      throw await this.fail(auditId, env, error);
    }
  }

  private async runVerification(
    env: EnvironmentConfig,
    km: ApimKeyManager,
    input: {
      environment: string;
      keyManager: string;
      consumerKey: string;
      consumerSecret: string;
    },
  ): Promise<VerifyResult> {
    if (km.tokenEndpointRefused) {
      throw coded(
        new InputError(km.tokenEndpointRefused),
        'TOKEN_ENDPOINT_NOT_ALLOWED',
      );
    }
    if (!km.tokenEndpoint) {
      throw coded(
        new InputError(
          `Key manager "${km.name}" has no token endpoint in API-M, so its credentials cannot be verified`,
        ),
        'KEY_MANAGER_NO_TOKEN_ENDPOINT',
      );
    }
    // The secret goes only where the operator allows it (issue 10 item 4).
    const refusal = tokenEndpointRefusal(policyOf(env), km.tokenEndpoint);
    if (refusal) {
      throw coded(new InputError(refusal), 'TOKEN_ENDPOINT_NOT_ALLOWED');
    }
    try {
      const outcome = await this.deps.verifier.verify(
        this.client(env).http,
        km.tokenEndpoint,
        km.name,
        input,
        tokenRequestSettings(this.deps.config.instances, env.instance, km.name),
      );
      return {
        ...outcome,
        environment: env.id,
        keyManager: km.name,
        consumerKey: input.consumerKey,
        tokenEndpoint: km.tokenEndpoint,
      };
    } catch (error) {
      if (error instanceof ApimError && error.kind !== 'http') {
        // Same transport as API-M, different system: name the key manager.
        const timedOut = error.kind === 'timeout';
        throw new UpstreamError(
          `Key manager "${km.name}" ${
            timedOut
              ? 'did not answer in time'
              : error.kind === 'redirect'
              ? 'answered the token request with a redirect, which is never followed (it would re-send the credentials)'
              : 'could not be reached or answered badly'
          }; check that it is up and that API-M's key manager configuration points at the right token endpoint. The backend log has the details.`,
          timedOut ? 504 : 502,
          timedOut ? 'KEY_MANAGER_TIMEOUT' : 'KEY_MANAGER_UNREACHABLE',
          error,
        );
      }
      if (error instanceof ApimError) {
        throw new UpstreamError(
          `Key manager "${km.name}" failed to answer a token request (HTTP ${error.upstreamStatus}); check its logs.`,
          502,
          'KEY_MANAGER_ERROR',
          error,
        );
      }
      throw error;
    }
  }

  // ---- provision ---------------------------------------------------------------------------

  async provision(
    input: ProvisionInput,
    caller: Caller,
  ): Promise<ProvisionOutcome> {
    const env = this.environment(input.environment);
    const client = this.client(env);
    assertApplicationName(input.applicationName);
    if (input.dryRun) return this.planProvision(input, env, caller);
    const attempt: Attempt = {};

    const checked = await this.checkKeyManager(env, input.keyManager);
    // The pending row and the cell lock are independent writes: one round trip, not two.
    const [audit, lock] = await Promise.allSettled([
      this.deps.store.startAudit(
        this.auditStart('provision', env, input, caller),
      ),
      checked.error
        ? undefined
        : this.deps.store.acquireCellLock(cellKey(input, env)),
    ]);
    if (audit.status === 'rejected') {
      if (lock.status === 'fulfilled') await lock.value?.release();
      throw audit.reason;
    }
    const auditId = audit.value;
    try {
      if (checked.error) throw checked.error;
      if (lock.status === 'rejected') throw lock.reason;
      const cellLock = lock.value!;
      let outcome: { result: ProvisionResult; mapping?: MappingUpsert };
      try {
        outcome = await this.provisionLocked(
          input,
          env,
          client,
          caller,
          auditId,
          checked.km!,
          attempt,
        );
      } catch (error) {
        // A refused client must not leave behind the application this attempt created.
        if (attempt.createdApp && isConclusiveFailure(error)) {
          await discardCreatedApplication({
            store: this.deps.store,
            bindings: this.deps.bindings,
            directory: this.directory,
            logger: this.deps.logger,
            client,
            app: attempt.createdApp,
            audit: this.auditStart('delete-application', env, input, caller),
          });
        }
        await cellLock.release();
        throw error;
      }
      const { result, mapping } = outcome;
      // API-M is done: record the mapping and complete the audit row together, then free the
      // cell without making the caller wait for that (a lost release expires with the lock).
      try {
        await Promise.all([
          mapping ? this.deps.store.upsertMapping(mapping) : undefined,
          this.deps.store.completeAudit(auditId, {
            outcome: result.status === 'created' ? 'succeeded' : 'unchanged',
            applicationId: result.applicationId,
            applicationName: result.applicationName,
            keyMappingId: result.keyMappingId,
            verified: attempt.verified === true,
          }),
        ]);
      } finally {
        cellLock
          .release()
          .catch(error =>
            this.deps.logger.warn(
              `Could not release the provisioning lock of ${cellKey(
                input,
                env,
              )}: ${error}`,
            ),
          );
      }
      return result;
    } catch (error) {
      throw await this.fail(auditId, env, error);
    }
  }

  private async provisionLocked(
    input: ProvisionInput,
    env: EnvironmentConfig,
    client: ApimClient,
    caller: Caller,
    auditId: string,
    km: ApimKeyManager,
    attempt: Attempt,
  ): Promise<{ result: ProvisionResult; mapping?: MappingUpsert }> {
    if (input.verify || this.deps.config.verification.required) {
      const check = await this.runVerification(env, km, input);
      if (!check.ok) throw refusal(check);
      attempt.verified = true;
    }
    let app = await this.resolveApplication(
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
      this.directory.forgetApplication(client, app.name);
      app = (await this.directory.findApplication(client, app.name)) ?? app;
    }
    assertNotRejected(app, env.instance);
    const warning = pendingApplicationWarning(app);
    const verified = attempt.verified === true;
    const result = (
      key: ApimApplicationKey,
      status: 'created' | 'unchanged',
    ): ProvisionResult => ({
      status,
      entityRef: input.entityRef,
      environment: env.id,
      keyManager: km.name,
      keyType: env.keyType,
      applicationId: app.applicationId,
      applicationName: app.name,
      consumerKey: key.consumerKey,
      keyMappingId: key.keyMappingId,
      grantTypes: key.supportedGrantTypes,
      auditId,
      ...(app.status ? { applicationStatus: app.status } : {}),
      ...(warning ? { warning } : {}),
    });
    /** What the mapping table should say after this call; written by the caller. */
    const record = (key: ApimApplicationKey): MappingUpsert =>
      mappingOf({
        entityRef: input.entityRef,
        env,
        app,
        // map-keys echoes the name or UUID it was sent; the listing holds the name.
        key: { ...key, keyManager: km.name },
        provisionedBy: caller.userEntityRef,
        provisionedAt: new Date(),
      });

    let mapped: ApimApplicationKey;
    try {
      mapped = await mapKeysWhenLoaded(
        {
          directory: this.directory,
          client,
          env,
          keyManager: km.name,
          budgetMs: this.deps.config.retries.keyManagerNotLoadedSeconds * 1000,
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
      const behindApim = () =>
        keyManagerBehindApimError(
          env,
          km.name,
          // Verified moments ago: the key manager answered the backend and accepted them.
          verified
            ? async () => ({ ok: true } as VerifyResult)
            : km.tokenEndpoint && !km.tokenEndpointRefused
            ? () => this.runVerification(env, km, input)
            : undefined,
          refusal,
          error,
        );
      if (
        !keys?.some(k => k.consumerKey === input.consumerKey) &&
        classifyMapKeysFailure(error) === 'key-manager-unreachable-from-apim'
      ) {
        throw await behindApim();
      }
      if (!keys) throw error;
      const same = keys.find(
        k =>
          k.keyManager === km.name &&
          k.keyType === env.keyType &&
          k.consumerKey === input.consumerKey,
      );
      if (error.is(409)) {
        if (same) {
          // The desired state already exists: idempotent success, nothing changed in API-M.
          const existing = (
            await this.deps.store.getMappingsForEntity(input.entityRef)
          ).find(
            m =>
              m.environment === env.id &&
              m.keyManager === km.name &&
              m.consumerKey === same.consumerKey,
          );
          return {
            result: result(same, 'unchanged'),
            mapping: existing ? undefined : record(same),
          };
        }
        throw this.describeConflict(keys, input, env, km, app);
      }
      if (same) {
        // map-keys wrote the mapping and then failed (CONTRACT.md 6.5, token minting) or the
        // answer was lost: the mapping exists and API-M validated the credentials; finish it.
        this.deps.logger.warn(
          `map-keys for ${input.entityRef} in ${env.id}/${km.name} failed after writing the mapping (${error.message}); keeping the mapping ${same.keyMappingId}`,
        );
        return { result: result(same, 'created'), mapping: record(same) };
      }
      if (
        error.is(500) &&
        error.code === 900967 &&
        !verified &&
        km.tokenEndpoint
      ) {
        // WSO2 answers a wrong secret, an unknown client and an unreachable key manager with the
        // same opaque 500; ask the key manager ourselves to tell the caller which.
        const check = await this.runVerification(env, km, input).catch(
          () => undefined,
        );
        if (check && !check.ok) throw refusal(check);
      }
      if (error.is(500) && error.code === 900967) {
        throw new UpstreamError(
          `API-M could not validate the client against key manager "${km.name}" (WSO2 code 900967, "General Error") although the key manager accepts the credentials; check API-M's configuration of that key manager and API-M's server log`,
          502,
          'APIM_900967',
        );
      }
      throw error;
    }
    return { result: result(mapped, 'created'), mapping: record(mapped) };
  }

  private describeConflict(
    keys: ApimApplicationKey[],
    input: ProvisionInput,
    env: EnvironmentConfig,
    km: ApimKeyManager,
    app: ApimApplication,
  ): ConflictError {
    const otherType = keys.find(
      k =>
        k.keyManager === km.name &&
        k.consumerKey === input.consumerKey &&
        k.keyType !== env.keyType,
    );
    if (otherType) {
      return coded(
        new ConflictError(
          `Client "${input.consumerKey}" is already the ${otherType.keyType} key of application "${app.name}" in key manager "${km.name}"; one client cannot be both key types. Use another client for ${env.keyType}.`,
        ),
        'OTHER_KEY_TYPE',
      );
    }
    const slot = keys.find(
      k => k.keyManager === km.name && k.keyType === env.keyType,
    );
    if (slot) {
      return coded(
        new ConflictError(
          `Environment "${env.id}" already has client "${slot.consumerKey}" mapped as the ${env.keyType} key of application "${app.name}" in key manager "${km.name}" (keyMappingId ${slot.keyMappingId}). Remove that mapping first to provide another client.`,
        ),
        'SLOT_TAKEN',
      );
    }
    return coded(
      new ConflictError(
        `Client "${input.consumerKey}" is already mapped to another API-M application in key manager "${km.name}"; a client can be mapped only once per key manager. Remove it there first.`,
      ),
      'MAPPED_ELSEWHERE',
    );
  }

  private async resolveApplication(
    input: ProvisionInput,
    env: EnvironmentConfig,
    client: ApimClient,
    caller: Caller,
    attempt: Attempt,
    km: ApimKeyManager,
  ): Promise<ApimApplication> {
    const found = await this.directory.findApplication(
      client,
      input.applicationName,
    );
    if (found) {
      // Under the lock: the application may have appeared since the router checked.
      await this.deps.bindings.assertBound(
        env.instance,
        found,
        input.entityRef,
      );
      return found;
    }
    // Before a create that API-M would refuse, or a 404 that misleads (CONTRACT.md 14.1).
    const variant = await findCaseVariant(client, input.applicationName);
    if (variant) {
      throw caseConflictError(input.applicationName, variant, env.instance);
    }
    const allowed =
      this.deps.config.applications.createIfMissing &&
      input.createApplication !== false;
    if (!allowed) {
      throw coded(
        new NotFoundError(
          `API-M application "${
            input.applicationName
          }" does not exist in instance "${env.instance}" and creating it is ${
            this.deps.config.applications.createIfMissing
              ? 'turned off for this request'
              : 'disabled (apimCredentials.applications.createIfMissing)'
          }`,
        ),
        'APPLICATION_NOT_FOUND',
      );
    }
    // Nothing is created for credentials that are not proven (issue 10 item 6).
    if (!attempt.verified) {
      const check = await this.runVerification(env, km, input);
      if (!check.ok) throw refusal(check);
      attempt.verified = true;
    }
    // The name is this entity's before the application exists, for every replica and cell.
    const reservation = await this.deps.bindings.reserve(
      env.instance,
      input.applicationName,
      input.entityRef,
      caller.userEntityRef,
    );
    const auditId = await this.deps.store.startAudit(
      this.auditStart('create-application', env, input, caller),
    );
    try {
      const app = await client.createApplication(
        input.applicationName,
        this.deps.config.applications.throttlingPolicy,
        `Created by Backstage for ${input.entityRef}`,
      );
      this.directory.rememberApplication(client, app);
      attempt.createdApp = app;
      await this.deps.store.completeAudit(auditId, {
        outcome: 'succeeded',
        applicationId: app.applicationId,
        applicationName: app.name,
      });
      await this.deps.bindings.recordCreated(
        env.instance,
        app,
        input.entityRef,
        caller.userEntityRef,
      );
      return app;
    } catch (error) {
      if (error instanceof ApimError && error.is(409)) {
        // Created meanwhile by another replica.
        this.directory.forgetApplication(client, input.applicationName);
        const app = await this.directory.findApplication(
          client,
          input.applicationName,
        );
        if (app) {
          await this.deps.store.completeAudit(auditId, {
            outcome: 'unchanged',
            applicationId: app.applicationId,
          });
          await this.deps.bindings.assertBound(
            env.instance,
            app,
            input.entityRef,
          );
          return app;
        }
        const variant = await findCaseVariant(
          client,
          input.applicationName,
        ).catch(() => undefined);
        if (variant) {
          throw await this.fail(
            auditId,
            env,
            caseConflictError(input.applicationName, variant, env.instance),
          );
        }
      }
      if (isUnknownTier(error)) {
        error = unknownTierError(
          env.instance,
          this.deps.config.applications.throttlingPolicy,
        );
      }
      if (!attempt.createdApp) {
        await this.deps.bindings
          .release(env.instance, reservation)
          .catch(() => undefined);
      }
      throw await this.fail(auditId, env, error);
    }
  }

  /**
   * A dry run without the secret (the `plan-provision` action, issue 14 item 3): every check of
   * `provision` except the verification, which needs the secret and is left to the person who
   * completes the provisioning in the entity tab. Returns the predicted outcome (`dryRun: true`);
   * throws what `provision` would (404 unknown environment or application, 409 conflicts, 400
   * for a key manager not offered, 502/503/504 for API-M faults).
   */
  async plan(
    input: Cell & { consumerKey: string; createApplication?: boolean },
    caller: Caller,
  ): Promise<ProvisionOutcome> {
    const env = this.environment(input.environment);
    assertApplicationName(input.applicationName);
    return this.planProvision(
      { ...input, consumerSecret: '', dryRun: true },
      env,
      caller,
      { withoutSecret: true },
    );
  }

  /** Dry run: everything provisioning checks, and what it would do, without changing anything. */
  private async planProvision(
    input: ProvisionInput,
    env: EnvironmentConfig,
    caller: Caller,
    options: { withoutSecret?: boolean } = {},
  ): Promise<ProvisionOutcome> {
    const client = this.client(env);
    try {
      const km = await this.offeredKeyManager(env, input.keyManager);
      if (
        !options.withoutSecret &&
        (input.verify || this.deps.config.verification.required)
      ) {
        // Audited as a dry-run verification: the key manager was really asked.
        const check = await this.verify(input, caller, { dryRun: true });
        if (!check.ok) throw refusal(check);
      }
      const app = await this.directory.findApplication(
        client,
        input.applicationName,
      );
      if (app) {
        await this.deps.bindings.assertBound(
          env.instance,
          app,
          input.entityRef,
        );
        assertNotRejected(app, env.instance);
      }
      const variant = app
        ? undefined
        : await findCaseVariant(client, input.applicationName);
      if (variant) {
        throw caseConflictError(input.applicationName, variant, env.instance);
      }
      if (
        !app &&
        !(
          this.deps.config.applications.createIfMissing &&
          input.createApplication !== false
        )
      ) {
        throw coded(
          new NotFoundError(
            `API-M application "${input.applicationName}" does not exist in instance "${env.instance}" and would not be created`,
          ),
          'APPLICATION_NOT_FOUND',
        );
      }
      const keys = app ? await client.listOAuthKeys(app.applicationId) : [];
      const same = keys.find(
        k =>
          k.keyManager === km.name &&
          k.keyType === env.keyType &&
          k.consumerKey === input.consumerKey,
      );
      if (
        !same &&
        keys.some(
          k =>
            k.keyManager === km.name &&
            (k.keyType === env.keyType || k.consumerKey === input.consumerKey),
        )
      ) {
        throw this.describeConflict(keys, input, env, km, app!);
      }
      return {
        dryRun: true,
        status: same ? 'unchanged' : 'created',
        entityRef: input.entityRef,
        environment: env.id,
        keyManager: km.name,
        keyType: env.keyType,
        applicationId: app?.applicationId ?? '',
        applicationName: input.applicationName,
        consumerKey: input.consumerKey,
        keyMappingId: same?.keyMappingId ?? '',
        grantTypes: same?.supportedGrantTypes ?? [],
        auditId: '',
      };
    } catch (error) {
      throw translateError(error, env.instance).error;
    }
  }

  // ---- unprovision -------------------------------------------------------------------------

  async unprovision(
    input: Cell & { dryRun?: boolean; consumerKey: string },
    caller: Caller,
  ): Promise<UnprovisionResult> {
    const env = this.environment(input.environment);
    const client = this.client(env);
    assertApplicationName(input.applicationName);
    const lookup = async () => {
      const app = await this.directory.findApplication(
        client,
        input.applicationName,
      );
      if (app) {
        await this.deps.bindings.assertBound(
          env.instance,
          app,
          input.entityRef,
        );
      }
      const keys = app ? await this.directory.listKeys(client, app) : [];
      const listed = keys.find(
        k => k.keyManager === input.keyManager && k.keyType === env.keyType,
      );
      return {
        app,
        // A disabled key manager's mapping is hidden from the listing, not gone (CONTRACT 7.1).
        key:
          listed ??
          (app
            ? await hiddenMapping(
                { directory: this.directory, store: this.deps.store },
                client,
                env,
                input,
              )
            : undefined),
      };
    };
    const find = async () => {
      const found = await lookup();
      // Only the named, mapped client is removed (issue 10 item 2).
      checkRemoval(found.key, input, env);
      return found;
    };
    if (input.dryRun) {
      const checked = await this.checkKeyManager(env, input.keyManager, {
        registeredOnly: true,
        entityRef: input.entityRef,
      });
      try {
        if (checked.error) throw checked.error;
        const { key } = await find();
        return {
          status: key ? 'removed' : 'unchanged',
          entityRef: input.entityRef,
          environment: env.id,
          keyManager: input.keyManager,
          consumerKey: key?.consumerKey,
          keyMappingId: key?.keyMappingId,
          auditId: '',
        };
      } catch (error) {
        throw translateError(error, env.instance).error;
      }
    }
    const checked = await this.checkKeyManager(env, input.keyManager, {
      registeredOnly: true,
      entityRef: input.entityRef,
    });
    const auditId = await this.deps.store.startAudit(
      this.auditStart('unprovision', env, input, caller),
    );
    try {
      if (checked.error) throw checked.error;
      const result = await this.deps.store.withCellLock(
        cellKey(input, env),
        async () => {
          const { app, key } = await find();
          const how =
            app && key
              ? await client.removeMapping(app.applicationId, key.keyMappingId)
              : undefined;
          await this.deps.store.deleteMapping(input);
          return { app, key, how };
        },
      );
      const { app, key, how } = result;
      const warning =
        key && how === 'cleaned-up'
          ? cleanUpWarning(key.consumerKey, input.keyManager)
          : undefined;
      await this.deps.store.completeAudit(auditId, {
        outcome: key ? 'succeeded' : 'unchanged',
        applicationId: app?.applicationId,
        applicationName: app?.name,
        keyMappingId: key?.keyMappingId,
        consumerKey: key?.consumerKey,
        // A succeeded row's code and message carry the warning, as the job's RESOLVED_BY_JOB does.
        ...(warning
          ? { errorCode: 'GATEWAYS_NOT_NOTIFIED', errorMessage: warning }
          : {}),
      });
      return {
        status: key ? 'removed' : 'unchanged',
        entityRef: input.entityRef,
        environment: env.id,
        keyManager: input.keyManager,
        consumerKey: key?.consumerKey,
        keyMappingId: key?.keyMappingId,
        auditId,
        ...(warning ? { warning } : {}),
      };
    } catch (error) {
      throw await this.fail(auditId, env, error);
    }
  }

  /**
   * Checks a request's key manager name against the environment's key managers before anything
   * is audited, also a denial (issue 10 item 5): a made-up name must not reach an entity's
   * history. Provisioning and verification need a key manager the environment offers; removal
   * also one registered in API-M or recorded for `entityRef` there. When API-M cannot list its
   * key managers the name passes (it is well-formed; the attempt itself then fails, audited).
   *
   * @throws InputError 400 `KEY_MANAGER_NOT_REGISTERED` / `KEY_MANAGER_NOT_OFFERED`
   */
  async assertKeyManagerName(
    environment: EnvironmentConfig,
    name: string,
    options: { forRemoval?: boolean; entityRef?: string } = {},
  ): Promise<void> {
    await this.checkKeyManager(environment, name, {
      registeredOnly: options.forRemoval,
      entityRef: options.entityRef,
    });
  }

  // ---- helpers -----------------------------------------------------------------------------

  /**
   * Rejects a key manager the caller may not name *before* the attempt is audited: a bad input
   * changes nothing, not even the audit table (abuse suite). API-M failing to list its key
   * managers is not the caller's fault: that error is returned for the audited attempt to fail
   * with. For unprovision, any key manager registered in API-M, or recorded for the entity, is
   * accepted (a mapping must stay removable after its key manager was disabled or dropped from
   * the allow-list).
   */
  private async checkKeyManager(
    env: EnvironmentConfig,
    name: string,
    options: { registeredOnly?: boolean; entityRef?: string } = {},
  ): Promise<{ km?: ApimKeyManager; error?: unknown }> {
    try {
      if (!options.registeredOnly)
        return { km: await this.offeredKeyManager(env, name) };
      const kms = await this.directory.listKeyManagers(this.client(env));
      const km = kms.find(k => k.name === name);
      // Outside the environment's offer (allow-list, disabled), only what Backstage recorded.
      if (km && describeKeyManager(env, km).mappingAllowed) return { km };
      const recorded = options.entityRef
        ? (await this.deps.store.getMappingsForEntity(options.entityRef)).some(
            m => m.environment === env.id && m.keyManager === name,
          )
        : false;
      if (recorded) return { km };
      throw coded(
        new InputError(
          `Key manager "${name}" is ${
            km
              ? `not offered for environment "${env.id}"`
              : `not registered in API-M instance "${env.instance}"`
          } and nothing is recorded for ${
            options.entityRef ?? 'the entity'
          } there; registered key managers are ${
            kms.map(k => k.name).join(', ') || 'none'
          }`,
        ),
        km ? 'KEY_MANAGER_NOT_OFFERED' : 'KEY_MANAGER_NOT_REGISTERED',
      );
    } catch (error) {
      if (error instanceof InputError) throw error;
      return { error };
    }
  }

  private auditStart(
    action: AuditStart['action'],
    env: EnvironmentConfig,
    input: {
      entityRef?: string;
      applicationName?: string;
      keyManager?: string;
      consumerKey?: string;
    },
    caller: Caller,
  ): AuditStart {
    return {
      action,
      actor: caller.userEntityRef,
      source: caller.source,
      via: caller.via,
      taskId: caller.taskId,
      requestId: caller.requestId,
      entityRef: input.entityRef,
      environment: env.id,
      instance: env.instance,
      keyType: env.keyType,
      keyManager: input.keyManager,
      applicationName: input.applicationName,
      consumerKey: input.consumerKey,
    };
  }

  /** Completes the audit row as failed and returns the error for the caller. */
  private async fail(
    auditId: string,
    env: EnvironmentConfig,
    error: unknown,
  ): Promise<Error> {
    const { error: translated, code } = isBindingDenial(error)
      ? { error, code: error.code }
      : translateError(error, env.instance);
    try {
      await this.deps.store.completeAudit(auditId, {
        outcome: isBindingDenial(error) ? 'denied' : 'failed',
        errorCode: code,
        errorMessage: translated.message,
      });
    } catch (storeError) {
      // The reconcile job resolves a row left pending; the caller still gets the real error.
      this.deps.logger.error(
        `Could not complete audit row ${auditId}: ${storeError}`,
      );
    }
    return translated;
  }
}

/**
 * The error for a failed verification: the credentials were refused (400), or the key manager
 * wants a scope the configuration does not give (500 naming the key; the client may be fine).
 */
function refusal(check: Pick<VerifyResult, 'code' | 'message'>): Error {
  return check.code === 'KEY_MANAGER_NEEDS_SCOPE'
    ? new KeyManagerNeedsScopeError(check.message)
    : new VerificationFailedError(check.message);
}

/**
 * What one provisioning attempt did so far: whether the credentials were proven, and the
 * application it created (deleted again when the attempt fails).
 */
interface Attempt {
  verified?: boolean;
  createdApp?: ApimApplication;
}

/**
 * The lock of a provisioning or removal: one application slot (instance, application name as
 * WSO2 compares it, key type, key manager), whichever entity names the application.
 */
export function cellKey(
  cell: { applicationName: string; keyManager: string },
  env: { instance: string; keyType: string },
): string {
  return `${env.instance}|${applicationNameKey(cell.applicationName)}|${
    env.keyType
  }|${cell.keyManager}`;
}
