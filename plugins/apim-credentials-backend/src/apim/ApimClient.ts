/**
 * A typed client for the devportal v3 calls of one API-M instance. It authenticates through the
 * TokenProvider (retrying once with a fresh token on a 401), turns WSO2's error envelope into
 * ApimError (devportalCall.ts), and strips the secrets API-M echoes back before anything else
 * sees a response. The calls live by WSO2 resource: applications.ts, oauthKeys.ts,
 * keyManagers.ts and apisAndSubscriptions.ts; this class is the one surface the services use.
 */
import { HttpTransport, pacedTransport } from './HttpTransport';
import { KeyManagerTransports } from './keyManagerTransports';
import { TokenProvider } from './TokenProvider';
import type {
  ApimApi,
  ApimApplication,
  ApimApplicationKey,
  ApimKeyManager,
  ApimSubscription,
} from './types';
import type { InstanceConfig } from '../config';
import { resolveTokenEndpoint } from '../keymanager/tokenEndpoint';
import { DevportalCall, devportalCall } from './devportalCall';
import * as applications from './applications';
import * as oauthKeys from './oauthKeys';
import { listKeyManagers } from './keyManagers';
import * as apis from './apisAndSubscriptions';

export class ApimClient {
  readonly instanceId: string;
  readonly baseUrl: string;
  private readonly endpointSettings: Parameters<typeof resolveTokenEndpoint>[0];
  private readonly call: DevportalCall;
  private readonly keyManagerTransports: KeyManagerTransports;

  /**
   * @param pace - when given, every devportal request waits for it before it is sent (see
   *   {@link ApimClient.pacedBy})
   */
  constructor(
    private readonly instance: InstanceConfig,
    private readonly transport: HttpTransport,
    private readonly tokens: TokenProvider,
    pace?: () => Promise<void>,
  ) {
    this.instanceId = instance.id;
    this.baseUrl = instance.baseUrl;
    this.endpointSettings = {
      baseUrl: instance.baseUrl,
      keyManagers: instance.keyManagers,
      configKey: `apimCredentials.instances[].keyManagers of instance "${instance.id}"`,
    };
    this.call = devportalCall({
      baseUrl: instance.baseUrl,
      transport: pace ? pacedTransport(transport, pace) : transport,
      tokens,
    });
    this.keyManagerTransports = new KeyManagerTransports(instance, transport);
  }

  static create(instance: InstanceConfig): ApimClient {
    const transport = new HttpTransport({
      ca: instance.tls.ca,
      rejectUnauthorized: instance.tls.rejectUnauthorized,
      timeoutMs: instance.timeoutMs,
    });
    return new ApimClient(
      instance,
      transport,
      new TokenProvider(instance, transport),
    );
  }

  /**
   * This client with every devportal request waiting for `pace()` first (the drift job's rate
   * cap); it shares this client's connection pool and token. Close this client, not the view.
   */
  pacedBy(pace: () => Promise<void>): ApimClient {
    return new ApimClient(this.instance, this.transport, this.tokens, pace);
  }

  /** The transport to API-M (and to key managers without TLS settings of their own). */
  get http(): HttpTransport {
    return this.transport;
  }

  /**
   * The transport to key manager `name`'s token endpoint: its own when the instance configures
   * `keyManagers[].tls` for it, the instance's otherwise (keyManagerTransports.ts).
   */
  tokenTransport(keyManager: string): HttpTransport {
    return this.keyManagerTransports.for(keyManager);
  }

  /** Closes the instance's connection pool and the key managers' own. */
  async close(): Promise<void> {
    await Promise.all([
      this.transport.close(),
      this.keyManagerTransports.close(),
    ]);
  }

  /** Every key manager, with the token endpoint a secret may go to (keyManagers.ts). */
  listKeyManagers(): Promise<ApimKeyManager[]> {
    return listKeyManagers(this.call, this.endpointSettings);
  }

  /** The application with exactly this name; WSO2's `query` matches substrings. */
  findApplicationByName(name: string): Promise<ApimApplication | undefined> {
    return applications.findApplicationByName(this.call, name);
  }

  /** Every application whose name matches `query` as WSO2's LIKE pattern (applications.ts). */
  searchApplications(query: string): Promise<ApimApplication[]> {
    return applications.searchApplications(this.call, query);
  }

  createApplication(
    name: string,
    throttlingPolicy: string,
    description: string,
  ): Promise<ApimApplication> {
    return applications.createApplication(
      this.call,
      name,
      throttlingPolicy,
      description,
    );
  }

  /** Only for an application Backstage created in a failed attempt (applications.ts). */
  deleteApplication(applicationId: string): Promise<void> {
    return applications.deleteApplication(this.call, applicationId);
  }

  listOAuthKeys(applicationId: string): Promise<ApimApplicationKey[]> {
    return oauthKeys.listOAuthKeys(this.call, applicationId);
  }

  /** The single-mapping read (CONTRACT.md 7.2); `null` for an unknown application. */
  getOAuthKey(
    applicationId: string,
    keyMappingId: string,
  ): Promise<ApimApplicationKey | null> {
    return oauthKeys.getOAuthKey(this.call, applicationId, keyMappingId);
  }

  mapKeys(
    applicationId: string,
    request: oauthKeys.MapKeysRequest,
  ): Promise<ApimApplicationKey> {
    return oauthKeys.mapKeys(this.call, applicationId, request);
  }

  /**
   * Removes a mapping; the client stays in its key manager.
   *
   * @returns `deleted` (gateways are told) or `cleaned-up` (API-M 4.2, gateways not told;
   *   CONTRACT.md 9.1, 9.2, 14.2 item 4)
   */
  removeMapping(
    applicationId: string,
    keyMappingId: string,
  ): Promise<'deleted' | 'cleaned-up'> {
    return oauthKeys.removeMapping(this.call, applicationId, keyMappingId);
  }

  cleanUp(applicationId: string, keyMappingId: string): Promise<void> {
    return oauthKeys.cleanUp(this.call, applicationId, keyMappingId);
  }

  /** Published APIs matching a devportal search, first 100 (CONTRACT.md 11). */
  searchApis(query: string): Promise<ApimApi[]> {
    return apis.searchApis(this.call, query);
  }

  /** @throws ApimError 404 (unknown or not published) or 403 (not visible to the service account) */
  getApi(apiId: string): Promise<ApimApi> {
    return apis.getApi(this.call, apiId);
  }

  /** Every subscription of an application, all pages (CONTRACT.md 11). */
  listSubscriptions(applicationId: string): Promise<ApimSubscription[]> {
    return apis.listSubscriptions(this.call, applicationId);
  }

  /** Under a subscription workflow the subscription is `ON_HOLD` (apisAndSubscriptions.ts). */
  subscribe(
    applicationId: string,
    apiId: string,
    tier: string,
  ): Promise<ApimSubscription> {
    return apis.subscribe(this.call, applicationId, apiId, tier);
  }

  unsubscribe(subscriptionId: string): Promise<void> {
    return apis.unsubscribe(this.call, subscriptionId);
  }
}
