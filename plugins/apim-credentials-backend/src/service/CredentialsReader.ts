/**
 * The reads behind the entity tab and the environment picker: which key managers each
 * environment offers, and what is mapped for an entity in every environment. API-M is read once
 * per instance (its oauth-keys list covers every key type and key manager), instances in parallel.
 */
import type {
  CredentialMapping,
  EntityCredentials,
  EnvironmentCredentials,
  EnvironmentInfo,
} from '@internal/backstage-plugin-apim-credentials-common';
import { ApimClient } from '../apim/ApimClient';
import type {
  ApimApplication,
  ApimApplicationKey,
  ApimKeyManager,
} from '../apim/types';
import type { ApimCredentialsConfig } from '../config';
import { ApimCredentialsStore } from '../database/ApimCredentialsStore';
import { ApimDirectory } from './ApimDirectory';
import { describeKeyManager } from './describeKeyManager';
import { translateError } from './translateError';

export class CredentialsReader {
  private readonly directory: ApimDirectory;

  constructor(
    private readonly deps: {
      config: ApimCredentialsConfig;
      clients: Map<string, ApimClient>;
      store: ApimCredentialsStore;
      directory: ApimDirectory;
    },
  ) {
    this.directory = deps.directory;
  }

  async listEnvironments(): Promise<EnvironmentInfo[]> {
    const byInstance = await this.keyManagersByInstance();
    return this.deps.config.environments.map(env => {
      const kms = byInstance.get(env.instance)!;
      return {
        id: env.id,
        title: env.title,
        instance: env.instance,
        keyType: env.keyType,
        keyManagers:
          'error' in kms ? [] : kms.list.map(km => describeKeyManager(env, km)),
        ...('error' in kms ? { error: kms.error } : {}),
      };
    });
  }

  /** One key-manager listing per instance, all instances in parallel. */
  private async keyManagersByInstance() {
    const result = new Map<
      string,
      { list: ApimKeyManager[] } | { error: string }
    >();
    await Promise.all(
      this.deps.config.instances.map(async instance => {
        try {
          const list = await this.directory.listKeyManagers(
            this.deps.clients.get(instance.id)!,
          );
          result.set(instance.id, { list });
        } catch (error) {
          result.set(instance.id, {
            error: translateError(error, instance.id).error.message,
          });
        }
      }),
    );
    return result;
  }

  /**
   * The entity's application and mappings in every environment. API-M is read once per
   * instance (its oauth-keys list covers every key type and key manager), instances in parallel.
   */
  async getEntityCredentials(
    entityRef: string,
    applicationName: string,
  ): Promise<EntityCredentials> {
    const instanceIds = [
      ...new Set(this.deps.config.environments.map(e => e.instance)),
    ];
    const perInstance = new Map<
      string,
      | {
          app: ApimApplication | undefined;
          keys: ApimApplicationKey[];
          kms: ApimKeyManager[];
        }
      | { error: string }
    >();
    // Everything independent runs at once: the recorded mappings, and per instance the key
    // managers alongside the application lookup followed by its keys.
    const [recorded] = await Promise.all([
      this.deps.store.getMappingsForEntity(entityRef),
      ...instanceIds.map(async instanceId => {
        const client = this.deps.clients.get(instanceId)!;
        try {
          const [kms, { app, keys }] = await Promise.all([
            this.directory.listKeyManagers(client),
            this.directory
              .findApplication(client, applicationName)
              .then(async found => ({
                app: found,
                keys: found ? await this.directory.listKeys(client, found) : [],
              })),
          ]);
          perInstance.set(instanceId, { app, keys, kms });
        } catch (error) {
          perInstance.set(instanceId, {
            error: translateError(error, instanceId).error.message,
          });
        }
      }),
    ]);

    const environments: EnvironmentCredentials[] =
      this.deps.config.environments.map(env => {
        const base = {
          environment: env.id,
          title: env.title,
          instance: env.instance,
          keyType: env.keyType,
        };
        const data = perInstance.get(env.instance)!;
        if ('error' in data)
          return {
            ...base,
            application: null,
            mappings: [],
            error: data.error,
          };
        const offered = data.kms
          .filter(km => describeKeyManager(env, km).mappingAllowed)
          .map(km => km.name);
        const envKeys = data.keys.filter(k => k.keyType === env.keyType);
        const envRecords = recorded.filter(r => r.environment === env.id);
        const names = [
          ...new Set([
            ...offered,
            ...envKeys.map(k => k.keyManager),
            ...envRecords.map(r => r.keyManager),
          ]),
        ];
        const mappings: CredentialMapping[] = names.map(name => {
          const key = envKeys.find(k => k.keyManager === name);
          const record = envRecords.find(r => r.keyManager === name);
          let state: CredentialMapping['state'] = 'unmapped';
          if (key) state = key.mode === 'CREATED' ? 'generated' : 'mapped';
          if (record && (!key || key.consumerKey !== record.consumerKey))
            state = 'drifted';
          return {
            environment: env.id,
            keyManager: name,
            keyType: env.keyType,
            state,
            consumerKey: key?.consumerKey ?? record?.consumerKey,
            keyMappingId: key?.keyMappingId ?? record?.keyMappingId,
            grantTypes: key?.supportedGrantTypes ?? record?.grantTypes,
            provisionedBy:
              record && key?.consumerKey === record.consumerKey
                ? record.provisionedBy
                : undefined,
            provisionedAt:
              record && key?.consumerKey === record.consumerKey
                ? record.provisionedAt
                : undefined,
          };
        });
        return {
          ...base,
          application: data.app
            ? { id: data.app.applicationId, name: data.app.name }
            : null,
          mappings,
        };
      });
    return { entityRef, applicationName, environments };
  }
}
