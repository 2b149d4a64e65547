/**
 * Which key managers an environment offers for mapping, decided on API-M's listing (cached in
 * the directory) and the environment's allow-list (CONTRACT.md 7.1: a disabled key manager is
 * listed with `enabled: false`).
 */
import { InputError } from '@backstage/errors';
import type { ApimClient } from '../apim/ApimClient';
import type { ApimKeyManager } from '../apim/types';
import type { EnvironmentConfig } from '../config';
import type { MappingStore } from '../database/MappingStore';
import { coded } from '../errors';
import type { ApimDirectory } from './ApimDirectory';
import { describeKeyManager } from './describeKeyManager';
import { keyManagerNotVisible } from './releaseCaveats';

/** A key manager that passed the checks, or the API-M fault that kept them from deciding. */
export type KeyManagerCheck = { km?: ApimKeyManager; error?: unknown };

export class KeyManagerOffer {
  constructor(
    private readonly deps: {
      directory: ApimDirectory;
      clientFor: (env: EnvironmentConfig) => ApimClient;
      mappings: Pick<MappingStore, 'getMappingsForEntity'>;
    },
  ) {}

  /**
   * The key manager `name` when the environment offers it for mapping. A cached "missing" or
   * "disabled" may predate an admin's fix, so it is looked up once more before refusing.
   *
   * @throws InputError 400 `KEY_MANAGER_NOT_OFFERED` (disabled, outside the allow-list) or
   *   the 400 of keyManagerNotVisible (not listed); API-M faults unchanged
   */
  async offered(
    env: EnvironmentConfig,
    name: string,
    refreshed = false,
  ): Promise<ApimKeyManager> {
    const client = this.deps.clientFor(env);
    const kms = refreshed
      ? await this.deps.directory.refreshKeyManagers(client, 1000)
      : await this.deps.directory.listKeyManagers(client);
    const km = kms.find(k => k.name === name);
    if (!refreshed && !(km && describeKeyManager(env, km).mappingAllowed)) {
      return this.offered(env, name, true);
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

  /**
   * Rejects a key manager the caller may not name *before* the attempt is audited: a bad input
   * changes nothing, not even the audit table (issue 10 item 5). API-M failing to list its key
   * managers is not the caller's fault: that error is returned for the audited attempt to fail
   * with. With `registeredOnly` (removal), any key manager registered in API-M, or recorded for
   * `entityRef`, is accepted: a mapping must stay removable after its key manager was disabled
   * or dropped from the allow-list.
   *
   * @throws InputError 400 `KEY_MANAGER_NOT_REGISTERED` / `KEY_MANAGER_NOT_OFFERED`
   */
  async check(
    env: EnvironmentConfig,
    name: string,
    options: { registeredOnly?: boolean; entityRef?: string } = {},
  ): Promise<KeyManagerCheck> {
    try {
      if (!options.registeredOnly) return { km: await this.offered(env, name) };
      const kms = await this.deps.directory.listKeyManagers(
        this.deps.clientFor(env),
      );
      const km = kms.find(k => k.name === name);
      if (km && describeKeyManager(env, km).mappingAllowed) return { km };
      const recorded = options.entityRef
        ? (
            await this.deps.mappings.getMappingsForEntity(options.entityRef)
          ).some(m => m.environment === env.id && m.keyManager === name)
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
}
