/**
 * Finding the entity's API-M application for a provisioning, or creating it (audited as
 * `create-application`) when the configuration and the request allow it.
 */
import { NotFoundError } from '@backstage/errors';
import type { ApimClient } from '../apim/ApimClient';
import { ApimError } from '../apim/ApimError';
import type { ApimApplication, ApimKeyManager } from '../apim/types';
import type { ApimCredentialsConfig, EnvironmentConfig } from '../config';
import { coded } from '../errors';
import type { ApimDirectory } from './ApimDirectory';
import type { ApplicationBindings } from './ApplicationBindings';
import type { AuditTrail } from './AuditTrail';
import { caseConflictError, findCaseVariant } from './applicationNames';
import { CredentialCheck, refusal } from './credentialCheck';
import type { Attempt, Caller, ProvisionInput } from './provisioningTypes';
import { isUnknownTier, unknownTierError } from './releaseCaveats';

export class ApplicationResolver {
  constructor(
    private readonly deps: {
      config: ApimCredentialsConfig;
      directory: ApimDirectory;
      bindings: ApplicationBindings;
      audit: AuditTrail;
      credentials: CredentialCheck;
    },
  ) {}

  /**
   * The application named by the entity, bound to it; or a new one when it does not exist
   * (after the credentials are proven: nothing is created for unproven ones, issue 10 item 6).
   * A created application is recorded in `attempt.createdApp` so that a refused mapping can
   * delete it again.
   *
   * @throws NotFoundError 404 `APPLICATION_NOT_FOUND` when creating is off; a 409 for a name
   *   that differs only in case (CONTRACT.md 14.1); binding denials; the verification refusal;
   *   API-M faults, translated and audited on the `create-application` row
   */
  async resolve(
    input: ProvisionInput,
    env: EnvironmentConfig,
    client: ApimClient,
    caller: Caller,
    attempt: Attempt,
    km: ApimKeyManager,
  ): Promise<ApimApplication> {
    const { directory, bindings, audit, config } = this.deps;
    const found = await directory.findApplication(
      client,
      input.applicationName,
    );
    if (found) {
      // Under the lock: the application may have appeared since the gate checked.
      if (found.applicationId !== input.boundApplicationId) {
        await bindings.assertBound(env.instance, found, input.entityRef);
      }
      return found;
    }
    // Before a create that API-M would refuse, or a 404 that misleads (CONTRACT.md 14.1).
    const variant = await findCaseVariant(client, input.applicationName);
    if (variant) {
      throw caseConflictError(input.applicationName, variant, env.instance);
    }
    if (
      !(
        config.applications.createIfMissing && input.createApplication !== false
      )
    ) {
      throw coded(
        new NotFoundError(
          `API-M application "${
            input.applicationName
          }" does not exist in instance "${env.instance}" and creating it is ${
            config.applications.createIfMissing
              ? 'turned off for this request'
              : 'disabled (apimCredentials.applications.createIfMissing)'
          }`,
        ),
        'APPLICATION_NOT_FOUND',
      );
    }
    if (!attempt.verified) {
      const check = await this.deps.credentials.run(env, km, input);
      if (!check.ok) throw refusal(check);
      attempt.verified = true;
    }
    // The name is this entity's before the application exists, for every replica and cell.
    const reservation = await bindings.reserve(
      env.instance,
      input.applicationName,
      input.entityRef,
      caller.userEntityRef,
    );
    const auditId = await audit.start('create-application', env, input, caller);
    try {
      const app = await client.createApplication(
        input.applicationName,
        config.applications.throttlingPolicy,
        `Created by Backstage for ${input.entityRef}`,
      );
      directory.rememberApplication(client, app);
      attempt.createdApp = app;
      await audit.complete(auditId, {
        outcome: 'succeeded',
        applicationId: app.applicationId,
        applicationName: app.name,
      });
      await bindings.recordCreated(
        env.instance,
        app,
        input.entityRef,
        caller.userEntityRef,
      );
      return app;
    } catch (error) {
      if (error instanceof ApimError && error.is(409)) {
        // Created meanwhile by another replica.
        directory.forgetApplication(client, input.applicationName);
        const app = await directory.findApplication(
          client,
          input.applicationName,
        );
        if (app) {
          await audit.complete(auditId, {
            outcome: 'unchanged',
            applicationId: app.applicationId,
          });
          await bindings.assertBound(env.instance, app, input.entityRef);
          return app;
        }
        const other = await findCaseVariant(
          client,
          input.applicationName,
        ).catch(() => undefined);
        if (other) {
          throw await audit.fail(
            auditId,
            env,
            caseConflictError(input.applicationName, other, env.instance),
          );
        }
      }
      let failure = error;
      if (isUnknownTier(error)) {
        failure = unknownTierError(
          env.instance,
          config.applications.throttlingPolicy,
        );
      }
      if (!attempt.createdApp) {
        await bindings
          .release(env.instance, reservation)
          .catch(() => undefined);
      }
      throw await audit.fail(auditId, env, failure);
    }
  }
}
