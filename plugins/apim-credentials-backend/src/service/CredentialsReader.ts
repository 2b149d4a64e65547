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
  KeyManagerInfo,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { ApimClient } from '../apim/ApimClient';
import { ApimError } from '../apim/ApimError';
import type { ApimInstances } from '../apim/ApimInstances';
import type {
  ApimApplication,
  ApimApplicationKey,
  ApimKeyManager,
} from '../apim/types';
import type { ApimCredentialsConfig } from '../config';
import type { MappingStore } from '../database/MappingStore';
import { ApimDirectory } from './ApimDirectory';
import { describeKeyManager } from './describeKeyManager';
import { translateError } from './translateError';
import { keyListingFailure } from './mapKeysFailures';
import { isDisabled } from './disabledKeyManagers';
import type { InstanceConfig } from '../config';

/** Adds what a token request to the key manager must carry (shown in the token snippet). */
function withTokenRequest(
  info: KeyManagerInfo,
  instance?: InstanceConfig,
): KeyManagerInfo {
  const params = instance?.keyManagers?.find(
    k => k.name === info.name,
  )?.verification;
  return params && Object.keys(params).length > 0
    ? { ...info, tokenRequest: params }
    : info;
}

/**
 * The keys of the application recorded as bound (`boundId`), listed without waiting for the
 * name lookup: the keys, or the listing's error (judged by the caller once it knows the
 * application); undefined when nothing is bound or the binding could not be read. Never rejects.
 */
async function listEarly(
  client: ApimClient,
  boundId: Promise<string | undefined> | undefined,
): Promise<
  | { applicationId: string; keys?: ApimApplicationKey[]; error?: unknown }
  | undefined
> {
  let applicationId: string | undefined;
  try {
    applicationId = await boundId;
  } catch {
    return undefined;
  }
  if (!applicationId) return undefined;
  try {
    return { applicationId, keys: await client.listOAuthKeys(applicationId) };
  } catch (error) {
    return { applicationId, error };
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof ApimError && error.is(404);
}

export class CredentialsReader {
  private readonly directory: ApimDirectory;

  constructor(
    private readonly deps: {
      config: ApimCredentialsConfig;
      instances: ApimInstances;
      mappings: MappingStore;
      directory: ApimDirectory;
    },
  ) {
    this.directory = deps.directory;
  }

  async listEnvironments(): Promise<EnvironmentInfo[]> {
    const byInstance = await this.keyManagersByInstance();
    return this.deps.config.environments.map(env => {
      const kms = byInstance.get(env.instance)!;
      const instance = this.deps.config.instances.find(
        i => i.id === env.instance,
      );
      return {
        id: env.id,
        title: env.title,
        instance: env.instance,
        keyType: env.keyType,
        keyManagers:
          'error' in kms
            ? []
            : kms.list.map(km =>
                withTokenRequest(describeKeyManager(env, km), instance),
              ),
        privateCa: Boolean(instance?.tls.ca),
        approvalRequired: Boolean(env.approval),
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
            this.deps.instances.client(instance.id),
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
    /** Throws when the entity may not see this instance's application (issue 10 item 1). */
    guard?: (
      instanceId: string,
      app: ApimApplication | undefined,
    ) => Promise<void>,
    /**
     * The id of the application the backend recorded as bound to the entity in an instance, if
     * any: its keys are listed while the name is looked up (two API-M reads at once instead of
     * one after the other, issue 9 "first tab read"). They are used only when the lookup finds
     * that same id and `guard` passes.
     */
    boundApplicationId?: (instanceId: string) => Promise<string | undefined>,
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
      this.deps.mappings.getMappingsForEntity(entityRef),
      ...instanceIds.map(async instanceId => {
        const client = this.deps.instances.client(instanceId);
        try {
          const early = listEarly(client, boundApplicationId?.(instanceId));
          const [kms, { app, keys }] = await Promise.all([
            this.directory.listKeyManagers(client),
            this.directory
              .findApplication(client, applicationName)
              .then(async found => {
                // Before any key is used: another entity's application shows nothing.
                await guard?.(instanceId, found);
                if (!found) return { app: found, keys: [] };
                const listed = await early;
                const fail = (error: unknown) => {
                  throw keyListingFailure(error, instanceId, applicationName);
                };
                if (listed?.applicationId === found.applicationId) {
                  if (listed.keys) return { app: found, keys: listed.keys };
                  // A fault is reported as it is, not met a second time; a 404 (deleted
                  // since) takes the ordinary path, which looks the name up again.
                  if (!isNotFound(listed.error)) fail(listed.error);
                }
                return {
                  app: found,
                  keys: await this.directory
                    .listKeys(client, found)
                    .catch(fail),
                };
              }),
          ]);
          perInstance.set(instanceId, { app, keys, kms });
        } catch (error) {
          perInstance.set(instanceId, {
            error: translateError(error, instanceId).error.message,
          });
        }
      }),
    ]);

    await this.refreshWhereMappingsAreMissing(recorded, perInstance);

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
          // API-M hides a disabled key manager's mappings but keeps them (CONTRACT.md 7.1):
          // still mapped, as recorded, not drift.
          const hidden = Boolean(record && !key && isDisabled(data.kms, name));
          let state: CredentialMapping['state'] = 'unmapped';
          if (key) state = key.mode === 'CREATED' ? 'generated' : 'mapped';
          if (record && (!key || key.consumerKey !== record.consumerKey))
            state = hidden ? 'mapped' : 'drifted';
          return {
            environment: env.id,
            keyManager: name,
            keyType: env.keyType,
            state,
            ...(hidden ? { keyManagerDisabled: true } : {}),
            consumerKey: key?.consumerKey ?? record?.consumerKey,
            keyMappingId: key?.keyMappingId ?? record?.keyMappingId,
            grantTypes: key?.supportedGrantTypes ?? record?.grantTypes,
            provisionedBy:
              record && (hidden || key?.consumerKey === record.consumerKey)
                ? record.provisionedBy
                : undefined,
            provisionedAt:
              record && (hidden || key?.consumerKey === record.consumerKey)
                ? record.provisionedAt
                : undefined,
          };
        });
        return {
          ...base,
          application: data.app
            ? {
                id: data.app.applicationId,
                name: data.app.name,
                ...(data.app.status ? { status: data.app.status } : {}),
              }
            : null,
          mappings,
        };
      });
    return { entityRef, applicationName, environments };
  }

  /**
   * A recorded mapping missing from API-M's listing is drift only if its key manager is still
   * enabled; a cached listing may predate an admin disabling it, so such an instance's key
   * managers are read again (shared and rate-limited by the directory).
   */
  private async refreshWhereMappingsAreMissing(
    recorded: Array<{ environment: string; keyManager: string }>,
    perInstance: Map<
      string,
      { keys: ApimApplicationKey[]; kms: ApimKeyManager[] } | { error: string }
    >,
  ): Promise<void> {
    await Promise.all(
      [...perInstance].map(async ([instanceId, data]) => {
        if ('error' in data) return;
        const missing = recorded.some(r => {
          const env = this.deps.config.environments.find(
            e => e.id === r.environment && e.instance === instanceId,
          );
          return (
            env &&
            !isDisabled(data.kms, r.keyManager) &&
            !data.keys.some(
              k => k.keyManager === r.keyManager && k.keyType === env.keyType,
            )
          );
        });
        if (!missing) return;
        try {
          data.kms = await this.directory.refreshKeyManagers(
            this.deps.instances.client(instanceId),
            1000,
          );
        } catch {
          // The listing read a moment ago stands.
        }
      }),
    );
  }
}
