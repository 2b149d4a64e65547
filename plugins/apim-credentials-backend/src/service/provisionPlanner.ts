/**
 * Dry runs of provisioning: every check `provision` makes, and the outcome it would have,
 * without changing anything in API-M or in the mapping table.
 */
import { NotFoundError } from '@backstage/errors';
import type { VerifyResult } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { ApimClient } from '../apim/ApimClient';
import type { ApimCredentialsConfig, EnvironmentConfig } from '../config';
import { coded } from '../errors';
import type { ApimDirectory } from './ApimDirectory';
import type { ApplicationBindings } from './ApplicationBindings';
import { caseConflictError, findCaseVariant } from './applicationNames';
import { refusal } from './credentialCheck';
import type { KeyManagerOffer } from './keyManagerOffer';
import {
  conflictError,
  conflictInListing,
  findWantedMapping,
} from './mapKeysOutcome';
import type {
  Caller,
  ProvisionInput,
  ProvisionOutcome,
} from './provisioningTypes';
import { assertNotRejected } from './releaseCaveats';
import { translateError } from './translateError';

export class ProvisionPlanner {
  constructor(
    private readonly deps: {
      config: ApimCredentialsConfig;
      directory: ApimDirectory;
      bindings: ApplicationBindings;
      offer: KeyManagerOffer;
      clientFor: (env: EnvironmentConfig) => ApimClient;
      /** The audited verification (a dry run still really asks the key manager). */
      verify: (
        input: ProvisionInput,
        caller: Caller,
        options: { dryRun: boolean },
      ) => Promise<VerifyResult>;
    },
  ) {}

  /**
   * The predicted outcome (`dryRun: true`, status `created` or `unchanged`). With
   * `withoutSecret` (the `plan-provision` action, issue 14 item 3) the verification is skipped:
   * it needs the secret and is left to whoever completes the provisioning.
   *
   * @throws what `provision` would, translated: 404 unknown application that would not be
   *   created, 409 conflicts (slot taken, other key type, case variant, binding), 400 key
   *   manager not offered or credentials refused, 502/503/504 API-M faults
   */
  async plan(
    input: ProvisionInput,
    env: EnvironmentConfig,
    caller: Caller,
    options: { withoutSecret?: boolean } = {},
  ): Promise<ProvisionOutcome> {
    const { config, directory, bindings } = this.deps;
    const client = this.deps.clientFor(env);
    try {
      const km = await this.deps.offer.offered(env, input.keyManager);
      if (
        !options.withoutSecret &&
        (input.verify || config.verification.required)
      ) {
        const check = await this.deps.verify(input, caller, { dryRun: true });
        if (!check.ok) throw refusal(check);
      }
      const app = await directory.findApplication(
        client,
        input.applicationName,
      );
      if (app) {
        await bindings.assertBound(env.instance, app, input.entityRef);
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
          config.applications.createIfMissing &&
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
      const wanted = {
        consumerKey: input.consumerKey,
        keyManager: km.name,
        keyType: env.keyType,
      };
      const same = findWantedMapping(keys, wanted);
      // Only what this application's listing shows; a client mapped elsewhere shows at map-keys.
      const conflict = same ? undefined : conflictInListing(keys, wanted);
      if (app && conflict && conflict.kind !== 'other-application') {
        throw conflictError(conflict, {
          ...wanted,
          environment: env.id,
          applicationName: app.name,
        });
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
}
