/**
 * Provisioning an existing OAuth2 client into an entity's API-M application, per environment
 * and key manager: verify (optional), resolve or create the application, map idempotently, and
 * unprovision. Every attempt is an audit row that is written `pending` before API-M is called
 * and completed after. (The reads behind the entity tab are in CredentialsReader.)
 *
 * This class orchestrates; the jobs live beside it: which key managers are offered
 * (keyManagerOffer), asking the key manager (credentialCheck), finding or creating the
 * application (applicationResolver), what map-keys answered (mapKeysOutcome, pure), dry runs
 * (provisionPlanner) and removal (unprovision).
 *
 * The consumer secret is a parameter of `provision` and `verify` only: it goes to the key
 * manager and to API-M's map-keys, and nowhere else (no log, row, error or response).
 */
import { NotFoundError } from '@backstage/errors';
import { LoggerService } from '@backstage/backend-plugin-api';
import type {
  ProvisionResult,
  UnprovisionResult,
  VerifyResult,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { ApimClient } from '../apim/ApimClient';
import type { ApimInstances } from '../apim/ApimInstances';
import type { ApimCredentialsConfig, EnvironmentConfig } from '../config';
import type { MappingUpsert } from '../database/MappingStore';
import type { ApimCredentialsStores } from '../database/stores';
import { CredentialVerifier } from '../keymanager/CredentialVerifier';
import { ApimDirectory } from './ApimDirectory';
import { assertApplicationName } from './applicationNames';
import { ApplicationBindings } from './ApplicationBindings';
import {
  discardCreatedApplication,
  isConclusiveFailure,
} from './discardCreatedApplication';
import { coded } from '../errors';
import { AuditTrail } from './AuditTrail';
import { CredentialCheck } from './credentialCheck';
import { KeyManagerOffer } from './keyManagerOffer';
import { ApplicationResolver } from './applicationResolver';
import { ProvisionAttempt } from './provisionAttempt';
import { ProvisionPlanner } from './provisionPlanner';
import { Unprovisioner } from './unprovision';
import {
  Attempt,
  Caller,
  Cell,
  ProvisionInput,
  ProvisionOutcome,
  cellKey,
} from './provisioningTypes';

export type {
  Caller,
  Cell,
  ProvisionInput,
  ProvisionOutcome,
} from './provisioningTypes';
export { cellKey } from './provisioningTypes';

export class ProvisioningService {
  private readonly directory: ApimDirectory;
  private readonly audit: AuditTrail;
  private readonly offer: KeyManagerOffer;
  private readonly credentials: CredentialCheck;
  private readonly attempts: ProvisionAttempt;
  private readonly planner: ProvisionPlanner;
  private readonly unprovisioner: Unprovisioner;

  constructor(
    private readonly deps: {
      config: ApimCredentialsConfig;
      instances: ApimInstances;
      stores: ApimCredentialsStores;
      /** The audit trail shared with the routes; one over `stores` when not given. */
      trail?: AuditTrail;
      verifier: CredentialVerifier;
      logger: LoggerService;
      directory?: ApimDirectory;
      /** The binding rules (issue 10 item 1), checked again under the provisioning lock. */
      bindings: ApplicationBindings;
    },
  ) {
    const { config, stores, bindings, logger, verifier } = deps;
    const { mappings } = stores;
    const directory =
      deps.directory ??
      new ApimDirectory({
        keyManagerTtlMs: config.cache.keyManagersMs,
        applicationTtlMs: config.cache.applicationsMs,
      });
    const clientFor = (env: EnvironmentConfig) => this.client(env);
    this.directory = directory;
    this.audit = deps.trail ?? new AuditTrail({ stores, logger });
    this.offer = new KeyManagerOffer({ directory, clientFor, mappings });
    this.credentials = new CredentialCheck({ config, verifier, clientFor });
    this.attempts = new ProvisionAttempt({
      config,
      mappings,
      directory,
      logger,
      credentials: this.credentials,
      applications: new ApplicationResolver({
        config,
        directory,
        bindings,
        audit: this.audit,
        credentials: this.credentials,
      }),
    });
    this.planner = new ProvisionPlanner({
      config,
      directory,
      bindings,
      offer: this.offer,
      clientFor,
      verify: (input, caller, options) => this.verify(input, caller, options),
    });
    this.unprovisioner = new Unprovisioner({
      stores,
      directory,
      bindings,
      offer: this.offer,
      audit: this.audit,
    });
  }

  get config() {
    return this.deps.config;
  }

  /** The environment with this id, or a 404 `UNKNOWN_ENVIRONMENT` naming the ones that exist. */
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
    return this.deps.instances.clientFor(env);
  }

  // ---- verify ------------------------------------------------------------------------------

  /**
   * Asks the key manager whether the credentials are good, audited as `verify` (a refusal is a
   * `failed` row with the key manager's reason, and `ok: false` in the result).
   *
   * @throws 400 for a key manager not offered or without a usable token endpoint; the key
   *   manager's faults (502/504) naming it
   */
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
    const checked = await this.offer.check(env, input.keyManager);
    const auditId = await this.audit.start('verify', env, input, caller, {
      dryRun: options.dryRun,
    });
    try {
      if (checked.error) throw checked.error;
      // Offered-key-manager checks always return the key manager when they pass.
      const result = await this.credentials.run(env, checked.km!, input);
      await this.audit.complete(auditId, {
        outcome: result.ok ? 'succeeded' : 'failed',
        errorCode: result.ok ? undefined : result.code ?? 'VERIFICATION_FAILED',
        errorMessage: result.ok ? undefined : result.message,
      });
      return result;
    } catch (error) {
      throw await this.audit.fail(auditId, env, error);
    }
  }

  // ---- provision ---------------------------------------------------------------------------

  /**
   * Maps the client into the entity's application for the environment and key manager
   * (`created`), or confirms it is mapped already (`unchanged`). A dry run only predicts.
   *
   * @throws 404 unknown environment or application, 400 bad key manager or refused
   *   credentials, 409 conflicts (`SLOT_TAKEN`, `OTHER_KEY_TYPE`, `MAPPED_ELSEWHERE`, bindings),
   *   502/503/504 naming API-M or the key manager; every one after the audit row is recorded
   */
  async provision(
    input: ProvisionInput,
    caller: Caller,
  ): Promise<ProvisionOutcome> {
    const env = this.environment(input.environment);
    const client = this.client(env);
    assertApplicationName(input.applicationName);
    if (input.dryRun) return this.planner.plan(input, env, caller);
    const attempt: Attempt = {};

    const checked = await this.offer.check(env, input.keyManager);
    // The pending row and the cell lock are independent writes: one round trip, not two.
    const [audit, lock] = await Promise.allSettled([
      this.audit.start('provision', env, input, caller),
      checked.error
        ? undefined
        : this.deps.stores.locks.acquireCellLock(cellKey(input, env)),
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
        outcome = await this.attempts.run(
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
            trail: this.audit,
            bindings: this.deps.bindings,
            directory: this.directory,
            logger: this.deps.logger,
            client,
            app: attempt.createdApp,
            audit: this.audit.fields('delete-application', env, input, caller),
          });
        }
        await cellLock.release();
        throw error;
      }
      const { result, mapping } = outcome;
      // API-M is done: record the mapping and complete the audit row in one transaction, then
      // free the cell without making the caller wait for that (a lost release expires with the
      // lock).
      try {
        await this.audit.completeWithMapping(
          auditId,
          {
            outcome: result.status === 'created' ? 'succeeded' : 'unchanged',
            applicationId: result.applicationId,
            applicationName: result.applicationName,
            keyMappingId: result.keyMappingId,
            verified: attempt.verified === true,
          },
          mapping ? { record: mapping } : undefined,
        );
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
      throw await this.audit.fail(auditId, env, error);
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
    return this.planner.plan(
      { ...input, consumerSecret: '', dryRun: true },
      env,
      caller,
      { withoutSecret: true },
    );
  }

  // ---- unprovision -------------------------------------------------------------------------

  /** Removes the cell's mapping; see Unprovisioner.unprovision for results and errors. */
  async unprovision(
    input: Cell & { dryRun?: boolean; consumerKey: string },
    caller: Caller,
  ): Promise<UnprovisionResult> {
    const env = this.environment(input.environment);
    const client = this.client(env);
    assertApplicationName(input.applicationName);
    return this.unprovisioner.unprovision(input, env, client, caller);
  }

  /**
   * Checks a request's key manager name against the environment's key managers before anything
   * is audited, also a denial (issue 10 item 5): a made-up name must not reach an entity's
   * history. Provisioning and verification need a key manager the environment offers; removal
   * also one registered in API-M or recorded for `entityRef` there. When API-M cannot list its
   * key managers the name passes (it is well-formed) and the fault is returned: the caller fails
   * the audited attempt with it (service/preflightFault.ts) rather than asking API-M again.
   *
   * @returns `{ error }` when API-M could not list its key managers, `{}` otherwise
   * @throws InputError 400 `KEY_MANAGER_NOT_REGISTERED` / `KEY_MANAGER_NOT_OFFERED`
   */
  async assertKeyManagerName(
    environment: EnvironmentConfig,
    name: string,
    options: { forRemoval?: boolean; entityRef?: string } = {},
  ): Promise<{ error?: unknown }> {
    const { error } = await this.offer.check(environment, name, {
      registeredOnly: options.forRemoval,
      entityRef: options.entityRef,
    });
    return error === undefined ? {} : { error };
  }
}
