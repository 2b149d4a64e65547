/**
 * Client registry of the key manager, WSO2-IS style: one record per OAuth2 client as created
 * through the DCR endpoint. Kept in memory, and mirrored to a JSON file when a data file is given
 * so that clients (and the token signing key) survive a restart.
 *
 * This module must not import oidc-provider (it is also loaded by code that runs under Jest).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A client as registered through DCR (what `GET .../register/{id}` returns, plus timestamps). */
export interface ClientRecord {
  client_id: string;
  client_secret: string;
  client_name: string;
  /** Grant types as registered (may include types this server does not implement, e.g. `password`). */
  grant_types: string[];
  redirect_uris: string[];
  created_at: number;
  updated_at: number;
}

interface DataFileContent {
  version: 1;
  clients: Record<string, ClientRecord>;
  /** Private JWK used to sign access tokens; persisted so tokens stay valid across restarts. */
  signingKey?: Record<string, unknown>;
}

/** 28 characters from [A-Za-z0-9_-], the length of WSO2 IS consumer keys. */
export function generateClientId(): string {
  return randomBytes(21).toString('base64url');
}

/** 32 characters from [A-Za-z0-9_-] (192 bits). */
export function generateClientSecret(): string {
  return randomBytes(24).toString('base64url');
}

export class ClientStore {
  readonly #dataFile?: string;
  readonly #clients = new Map<string, ClientRecord>();
  #signingKey?: Record<string, unknown>;

  constructor(options: { dataFile?: string } = {}) {
    this.#dataFile = options.dataFile;
    if (this.#dataFile) {
      this.#load(this.#dataFile);
    }
  }

  #load(file: string) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return;
      }
      throw error;
    }
    if (!text.trim()) {
      return;
    }
    const content = JSON.parse(text) as DataFileContent;
    for (const record of Object.values(content.clients ?? {})) {
      this.#clients.set(record.client_id, record);
    }
    this.#signingKey = content.signingKey;
  }

  #save() {
    if (!this.#dataFile) {
      return;
    }
    const content: DataFileContent = {
      version: 1,
      clients: Object.fromEntries(this.#clients),
      signingKey: this.#signingKey,
    };
    mkdirSync(path.dirname(this.#dataFile), { recursive: true });
    const tmp = `${this.#dataFile}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(content, null, 2)}\n`, {
      mode: 0o600,
    });
    renameSync(tmp, this.#dataFile);
  }

  get signingKey(): Record<string, unknown> | undefined {
    return this.#signingKey;
  }

  setSigningKey(jwk: Record<string, unknown>) {
    this.#signingKey = jwk;
    this.#save();
  }

  get(clientId: string): ClientRecord | undefined {
    return this.#clients.get(clientId);
  }

  findByName(name: string): ClientRecord | undefined {
    for (const record of this.#clients.values()) {
      if (record.client_name === name) {
        return record;
      }
    }
    return undefined;
  }

  list(): ClientRecord[] {
    return [...this.#clients.values()];
  }

  put(record: ClientRecord) {
    this.#clients.set(record.client_id, record);
    this.#save();
  }

  delete(clientId: string): boolean {
    const existed = this.#clients.delete(clientId);
    if (existed) {
      this.#save();
    }
    return existed;
  }
}
