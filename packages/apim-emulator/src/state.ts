/** In-memory model of API-M (contract section 12), optionally persisted to a JSON file. */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type {
  ApiLifeCycleStatus,
  ApiOptions,
  EmulatorConfig,
  EmulatorStateSnapshot,
  FaultRule,
  KeyManagerOptions,
  KeyManagerPermissions,
  KeyManagerTransportFailure,
  StateApplication,
  StateKeyMapping,
  StateSubscription,
} from './types';
import { releaseProfile, type ReleaseProfile } from './profiles';

export const RESIDENT_KM = 'Resident Key Manager';
export const IS_KM = 'IS';

export interface DcrClient {
  clientId: string;
  clientSecret: string;
  clientName: string;
  owner: string;
  grantTypes: string[];
  callbackUrl: string;
  tokenType: string;
  saasApp: boolean;
}

export interface IssuedToken {
  accessToken: string;
  refreshToken?: string;
  clientId: string;
  username: string;
  scopes: string[];
  expiresAt: number;
}

export interface KeyManager {
  id: string;
  name: string;
  type: string;
  displayName: string;
  description: string;
  /** External IS-like KM base URL; undefined for the resident KM. */
  baseUrl?: string;
  enabled: boolean;
  enableMapOAuthConsumerApps: boolean;
  enableTokenGeneration: boolean;
  enableOAuthAppCreation: boolean;
  tokenType: 'DIRECT' | 'EXCHANGED' | 'BOTH';
  global: boolean;
  permissions: KeyManagerPermissions;
  displayTokenEndpoint?: string;
  /** Listed as enabled, not loaded by the server (CONTRACT 14.1): `permanent` or an epoch-ms deadline. */
  notLoaded: 'permanent' | number | null;
  /** Simulated transport failure when API-M calls this KM (CONTRACT 14.1). */
  transportFailure: KeyManagerTransportFailure | null;
}

const PUBLIC: KeyManagerPermissions = { type: 'PUBLIC', roles: [] };

export interface ApiDefinition {
  id: string;
  name: string;
  context: string;
  version: string;
  provider: string;
  tiers: string[];
  lifeCycleStatus: ApiLifeCycleStatus;
  visibility: 'PUBLIC' | 'RESTRICTED';
  visibleRoles: string[];
}

/** Options -> API definition; throws naming the option when it cannot be served (CONTRACT 11). */
export function apiDefinition(o: ApiOptions): ApiDefinition {
  if (!o.name || !o.version) {
    throw new Error('apis[]: name and version are required');
  }
  if (!/^\/[^\s]*$/.test(o.context ?? '')) {
    throw new Error(`apis[${o.name}]: context must start with '/'`);
  }
  const tiers = o.tiers ?? ['Unlimited'];
  if (!tiers.length) {
    throw new Error(`apis[${o.name}]: tiers must not be empty`);
  }
  return {
    id: o.id ?? uuidFromName(`api:${o.name}:${o.version}`),
    name: o.name,
    version: o.version,
    context: o.context.replace(/\/+$/, ''),
    provider: o.provider ?? 'admin',
    tiers: [...tiers],
    lifeCycleStatus: o.lifeCycleStatus ?? 'PUBLISHED',
    visibility: o.visibility ?? 'PUBLIC',
    visibleRoles: [...(o.visibleRoles ?? [])],
  };
}

interface PersistedState {
  version: 1;
  applications: StateApplication[];
  keyMappings: StateKeyMapping[];
  subscriptions: StateSubscription[];
  dcrClients: DcrClient[];
  tokens: IssuedToken[];
}

/** Stable UUID derived from a name, so KM ids survive restarts. */
export function uuidFromName(name: string): string {
  const h = createHash('sha1').update(`apim-emulator:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(
    17,
    20,
  )}-${h.slice(20, 32)}`;
}

export const SEED_APIS: ApiDefinition[] = [
  apiDefinition({
    name: 'PizzaShackAPI',
    context: '/pizzashack',
    version: '1.0.0',
    tiers: ['Unlimited', 'Gold', 'Bronze'],
  }),
  apiDefinition({
    name: 'CalculatorAPI',
    context: '/calculator',
    version: '1.0.0',
    tiers: ['Unlimited'],
  }),
];

export interface StoreOptions {
  config: EmulatorConfig;
  keyManagerBaseUrl: string;
  keyManagers?: KeyManagerOptions[];
  apis?: ApiOptions[];
  stateFile?: string;
}

export class Store {
  applications: StateApplication[] = [];
  keyMappings: StateKeyMapping[] = [];
  subscriptions: StateSubscription[] = [];
  dcrClients: DcrClient[] = [];
  tokens: IssuedToken[] = [];
  keyManagers: KeyManager[] = [];
  faults: FaultRule[] = [];
  config: EmulatorConfig;
  readonly apis: ApiDefinition[];

  constructor(private readonly options: StoreOptions) {
    this.config = { ...options.config };
    this.apis = [...SEED_APIS];
    for (const o of options.apis ?? []) {
      const api = apiDefinition(o);
      const same = this.apis.findIndex(
        a =>
          a.id === api.id || (a.name === api.name && a.version === api.version),
      );
      if (same >= 0) this.apis[same] = api;
      else this.apis.push(api);
    }
    this.keyManagers = this.initialKeyManagers();
  }

  private initialKeyManagers(): KeyManager[] {
    const base = this.options.keyManagerBaseUrl;
    const kms: KeyManager[] = [
      {
        ...this.newKeyManager({ name: IS_KM }),
        displayName: 'WSO2 Identity Server',
        description: 'WSO2 Identity Server as a third-party key manager',
        baseUrl: base,
      },
      {
        ...this.newKeyManager({ name: RESIDENT_KM, type: 'default' }),
        description: 'This is Resident Key Manager',
        baseUrl: undefined,
        enableMapOAuthConsumerApps: this.config.keyProvisioningEnabled,
      },
    ];
    for (const o of this.options.keyManagers ?? []) {
      const existing = kms.find(k => k.name === o.name);
      if (existing) applyKeyManagerOptions(existing, o);
      else kms.push(this.newKeyManager(o));
    }
    return sortKeyManagers(kms);
  }

  private newKeyManager(o: KeyManagerOptions): KeyManager {
    const km: KeyManager = {
      id: uuidFromName(`km:${o.name}`),
      name: o.name,
      type: 'WSO2-IS',
      displayName: o.name,
      description: '',
      baseUrl: this.options.keyManagerBaseUrl,
      enabled: true,
      enableMapOAuthConsumerApps: true,
      enableTokenGeneration: true,
      enableOAuthAppCreation: true,
      tokenType: 'DIRECT',
      global: false,
      permissions: PUBLIC,
      notLoaded: null,
      transportFailure: null,
    };
    applyKeyManagerOptions(km, o);
    return km;
  }

  /**
   * Registers a KM at runtime (admin portal "add"): not loaded for `keyManagerLoadDelayMs`
   * (CONTRACT 14.1). Throws when the name is taken.
   */
  addKeyManager(o: KeyManagerOptions): KeyManager {
    if (this.keyManagers.some(k => k.name === o.name)) {
      throw new Error(`A key manager named '${o.name}' already exists`);
    }
    const km = this.newKeyManager(o);
    this.markLoading(km);
    this.keyManagers = sortKeyManagers([...this.keyManagers, km]);
    return km;
  }

  /** After an add/enable/update the server takes a while to load the KM (CONTRACT 14.1). */
  markLoading(km: KeyManager): void {
    const delay = this.config.keyManagerLoadDelayMs;
    if (delay > 0 && km.notLoaded !== 'permanent') {
      km.notLoaded = Date.now() + delay;
    }
  }

  /** True while the server has not loaded `km` (map-keys then answers 400/901403, CONTRACT 14.1). */
  isNotLoaded(km: KeyManager): boolean {
    if (km.notLoaded === null) return false;
    if (km.notLoaded === 'permanent') return true;
    if (Date.now() < km.notLoaded) return true;
    km.notLoaded = null;
    return false;
  }

  /** KMs that exist in this release: no global KMs before 4.3 (CONTRACT 14.3). */
  existingKeyManagers(): KeyManager[] {
    return this.profile().globalKeyManagers
      ? this.keyManagers
      : this.keyManagers.filter(k => !k.global);
  }

  profile(): ReleaseProfile {
    return releaseProfile(this.config.apimVersion);
  }

  /** Resolve by name first, then by UUID (contract 6.1), among the KMs this release has. */
  findKeyManager(nameOrId: string): KeyManager | undefined {
    const kms = this.existingKeyManagers();
    return (
      kms.find(k => k.name === nameOrId) ?? kms.find(k => k.id === nameOrId)
    );
  }

  findKeyManagerById(id: string): KeyManager | undefined {
    return this.keyManagers.find(k => k.id === id);
  }

  /** Back to the state at start-up (seed data, options); clears faults. */
  reset(): void {
    this.applications = [];
    this.keyMappings = [];
    this.subscriptions = [];
    this.dcrClients = [];
    this.tokens = [];
    this.faults = [];
    this.config = { ...this.options.config };
    this.keyManagers = this.initialKeyManagers();
    this.save();
  }

  load(): void {
    const file = this.options.stateFile;
    if (!file) return;
    let raw: string;
    try {
      raw = readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    const data = JSON.parse(raw) as PersistedState;
    this.applications = data.applications ?? [];
    this.keyMappings = data.keyMappings ?? [];
    this.subscriptions = data.subscriptions ?? [];
    this.dcrClients = data.dcrClients ?? [];
    this.tokens = (data.tokens ?? []).filter(t => t.expiresAt > Date.now());
  }

  /** Writes the state file atomically (no-op without `stateFile`). */
  save(): void {
    const file = this.options.stateFile;
    if (!file) return;
    const data: PersistedState = {
      version: 1,
      applications: this.applications,
      keyMappings: this.keyMappings,
      subscriptions: this.subscriptions,
      dcrClients: this.dcrClients,
      tokens: this.tokens.filter(t => t.expiresAt > Date.now()),
    };
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data, null, 2), { mode: 0o600 });
    renameSync(tmp, file);
  }

  snapshot(): EmulatorStateSnapshot {
    return {
      config: { ...this.config },
      keyManagers: this.keyManagers.map(k => ({
        id: k.id,
        name: k.name,
        type: k.type,
        enabled: k.enabled,
        enableMapOAuthConsumerApps: k.enableMapOAuthConsumerApps,
        enableTokenGeneration: k.enableTokenGeneration,
        tokenType: k.tokenType,
        tokenEndpoint: k.baseUrl
          ? `${k.baseUrl}/oauth2/token`
          : '(self)/oauth2/token',
        global: k.global,
        permissions: {
          type: k.permissions.type,
          roles: [...k.permissions.roles],
        },
        notLoaded: k.notLoaded,
        transportFailure: k.transportFailure,
      })),
      applications: this.applications.map(a => ({ ...a })),
      keyMappings: this.keyMappings.map(m => ({ ...m })),
      subscriptions: this.subscriptions.map(s => ({ ...s })),
      dcrClients: this.dcrClients.map(c => ({
        clientId: c.clientId,
        clientName: c.clientName,
        owner: c.owner,
        grantTypes: [...c.grantTypes],
      })),
      faults: this.faults.map(f => ({ ...f })),
    };
  }

  newId(): string {
    return randomUUID();
  }
}

function applyKeyManagerOptions(km: KeyManager, o: KeyManagerOptions): void {
  if (o.type !== undefined) km.type = o.type;
  if (o.baseUrl !== undefined) km.baseUrl = o.baseUrl;
  if (o.enabled !== undefined) km.enabled = o.enabled;
  if (o.enableMapOAuthConsumerApps !== undefined)
    km.enableMapOAuthConsumerApps = o.enableMapOAuthConsumerApps;
  if (o.enableTokenGeneration !== undefined)
    km.enableTokenGeneration = o.enableTokenGeneration;
  if (o.enableOAuthAppCreation !== undefined)
    km.enableOAuthAppCreation = o.enableOAuthAppCreation;
  if (o.tokenType !== undefined) km.tokenType = o.tokenType;
  if (o.displayName !== undefined) km.displayName = o.displayName;
  if (o.description !== undefined) km.description = o.description;
  if (o.global !== undefined) km.global = o.global;
  if (o.permissions !== undefined)
    km.permissions = {
      type: o.permissions.type,
      roles: [...o.permissions.roles],
    };
  if (o.displayTokenEndpoint !== undefined)
    km.displayTokenEndpoint = o.displayTokenEndpoint;
}

/** Listing order (CONTRACT 5.1): tenant KMs with the resident KM moved to the end, then global KMs. */
function sortKeyManagers(kms: KeyManager[]): KeyManager[] {
  const rank = (k: KeyManager) => {
    if (k.global) return 2;
    return k.name === RESIDENT_KM ? 1 : 0;
  };
  return kms
    .map((k, i) => ({ k, i }))
    .sort((a, b) => rank(a.k) - rank(b.k) || a.i - b.i)
    .map(x => x.k);
}
