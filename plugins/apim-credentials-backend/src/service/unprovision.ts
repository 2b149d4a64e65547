/**
 * Removing a mapping Backstage made: only the named client, only from the entity's own
 * application (issue 10 item 2), under the cell's lock, audited as `unprovision`.
 */
import type { UnprovisionResult } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { ApimClient } from '../apim/ApimClient';
import type { EnvironmentConfig } from '../config';
import type { ApimCredentialsStores } from '../database/stores';
import type { ApimDirectory } from './ApimDirectory';
import type { ApplicationBindings } from './ApplicationBindings';
import type { AuditTrail } from './AuditTrail';
import { hiddenMapping } from './disabledKeyManagers';
import type { KeyManagerOffer } from './keyManagerOffer';
import { cellKey, type Caller, type Cell } from './provisioningTypes';
import { cleanUpWarning } from './releaseCaveats';
import { planRemoval, STALE_RECORD_REMOVED } from './removalRules';
import { translateError } from './translateError';

export type UnprovisionInput = Cell & { dryRun?: boolean; consumerKey: string };

export class Unprovisioner {
  constructor(
    private readonly deps: {
      stores: Pick<ApimCredentialsStores, 'locks' | 'mappings'>;
      directory: ApimDirectory;
      bindings: ApplicationBindings;
      offer: KeyManagerOffer;
      audit: AuditTrail;
    },
  ) {}

  /**
   * Removes the cell's mapping in API-M and in the mapping table (`removed`), or reports that
   * there is none (`unchanged`). A dry run checks everything and changes nothing.
   *
   * @throws 400 for a key manager neither registered nor recorded, 409 when the slot holds
   *   another client or a key generated in API-M, binding denials, translated API-M faults
   *   (audited, except in a dry run)
   */
  async unprovision(
    input: UnprovisionInput,
    env: EnvironmentConfig,
    client: ApimClient,
    caller: Caller,
  ): Promise<UnprovisionResult> {
    const checked = await this.deps.offer.check(env, input.keyManager, {
      registeredOnly: true,
      entityRef: input.entityRef,
    });
    const result = (
      key: { consumerKey: string; keyMappingId: string } | undefined,
      auditId: string,
      warning?: string,
    ): UnprovisionResult => ({
      status: key ? 'removed' : 'unchanged',
      entityRef: input.entityRef,
      environment: env.id,
      keyManager: input.keyManager,
      consumerKey: key?.consumerKey,
      keyMappingId: key?.keyMappingId,
      auditId,
      ...(warning ? { warning } : {}),
    });
    if (input.dryRun) {
      try {
        if (checked.error) throw checked.error;
        return result((await this.find(input, env, client)).key, '');
      } catch (error) {
        throw translateError(error, env.instance).error;
      }
    }
    const { audit, stores } = this.deps;
    const auditId = await audit.start('unprovision', env, input, caller);
    try {
      if (checked.error) throw checked.error;
      const { key, warning } = await stores.locks.withCellLock(
        cellKey(input, env),
        async () => {
          const found = await this.find(input, env, client);
          // A drifted record whose mapping API-M no longer holds as recorded: only ours goes.
          const how =
            found.app && found.remove
              ? await client.removeMapping(
                  found.app.applicationId,
                  found.remove.keyMappingId,
                )
              : undefined;
          const gatewaysWarning =
            found.stale ??
            (found.key && how === 'cleaned-up'
              ? cleanUpWarning(found.key.consumerKey, input.keyManager)
              : undefined);
          // Still under the lock: the row goes and the attempt is recorded together.
          await audit.completeWithMapping(
            auditId,
            {
              outcome: found.key ? 'succeeded' : 'unchanged',
              applicationId: found.app?.applicationId,
              applicationName: found.app?.name,
              keyMappingId: found.key?.keyMappingId,
              consumerKey: found.key?.consumerKey,
              ...(gatewaysWarning
                ? {
                    resolution: found.stale
                      ? STALE_RECORD_REMOVED
                      : 'GATEWAYS_NOT_NOTIFIED',
                    note: gatewaysWarning,
                  }
                : {}),
            },
            { remove: input },
          );
          return { key: found.key, warning: gatewaysWarning };
        },
      );
      return result(key, auditId, warning);
    } catch (error) {
      throw await audit.fail(auditId, env, error);
    }
  }

  /** The entity's application and the cell's key; only the named, mapped client passes. */
  private async find(
    input: UnprovisionInput,
    env: EnvironmentConfig,
    client: ApimClient,
  ) {
    const { directory, bindings } = this.deps;
    const { mappings } = this.deps.stores;
    const app = await directory.findApplication(client, input.applicationName);
    if (app) await bindings.assertBound(env.instance, app, input.entityRef);
    const keys = app ? await directory.listKeys(client, app) : [];
    const listed = keys.find(
      k => k.keyManager === input.keyManager && k.keyType === env.keyType,
    );
    // A disabled key manager's mapping is hidden from the listing, not gone (CONTRACT 7.1).
    const key =
      listed ??
      (app
        ? await hiddenMapping({ directory, mappings }, client, env, input)
        : undefined);
    // The recorded key and drift reason decide what a "Remove stale record" may remove.
    const record = (await mappings.getMappingsForEntity(input.entityRef)).find(
      m => m.environment === env.id && m.keyManager === input.keyManager,
    );
    const plan = planRemoval(key, record, input, env);
    return {
      app,
      key: plan.reported,
      remove: plan.apimKey,
      stale: plan.staleNote,
    };
  }
}
