/**
 * How API-M talks to a key manager on behalf of the devportal: read a client (provisioned-app
 * validation, live key listing) and mint a client_credentials token.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { grantScopes } from '../auth';
import type { EmulatorContext } from '../context';
import { errors, type ApiError } from '../errors';
import {
  KeyManagerTransportError,
  type KmClientInfo,
} from '../key-manager-client';
import type { KeyManager } from '../state';

export interface TokenDto {
  accessToken: string | null;
  tokenScopes: string[];
  validityTime: number;
}

/** null = the KM says the client does not exist. */
export type ClientLookup = KmClientInfo | null;

export interface KeyManagerAccess {
  /**
   * Reads a client from a KM. Throws KeyManagerTransportError when the KM cannot be reached
   * (real or simulated), anything else when it answered with an error (CONTRACT 14.1).
   */
  readClient(km: KeyManager, clientId: string): Promise<ClientLookup>;
  mintToken(
    km: KeyManager,
    clientId: string,
    secret: string,
    scopes: string[],
  ): Promise<TokenDto>;
  /**
   * A transport failure escapes API-M as an unchecked exception after its HTTP client's retries:
   * waits `kmTransportFailureDelayMs`, then gives the generic 500/500 to throw (CONTRACT 14.1).
   */
  transportFailure(km: KeyManager, e: unknown): Promise<ApiError>;
}

export function keyManagerAccess(ctx: EmulatorContext): KeyManagerAccess {
  const { store, users, logger } = ctx;
  return {
    async readClient(km, clientId) {
      if (km.transportFailure) {
        throw new KeyManagerTransportError(
          `Key manager ${km.name} unreachable (simulated: ${km.transportFailure})`,
        );
      }
      const external = ctx.externalClient(km);
      if (external) return external.getClient(clientId);
      const c = store.dcrClients.find(x => x.clientId === clientId);
      if (!c) return null;
      return {
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        grantTypes: c.grantTypes,
        redirectUris: c.callbackUrl ? [c.callbackUrl] : [],
      };
    },

    async mintToken(km, clientId, secret, scopes) {
      const external = ctx.externalClient(km);
      if (external) {
        const t = await external.clientCredentialsToken(
          clientId,
          secret,
          scopes.filter(s => s !== 'default'),
        );
        return {
          accessToken: t.accessToken,
          tokenScopes: t.scopes,
          validityTime: t.expiresIn,
        };
      }
      const client = store.dcrClients.find(c => c.clientId === clientId);
      if (
        !client ||
        client.clientSecret !== secret ||
        !client.grantTypes.includes('client_credentials')
      ) {
        throw new Error('Resident key manager rejected the client credentials');
      }
      const granted = grantScopes(scopes, users.get(client.owner)?.roles ?? []);
      const t = ctx.issueToken(client, client.owner, granted, false);
      return {
        accessToken: t.accessToken,
        tokenScopes: granted,
        validityTime: store.config.tokenLifetimeSeconds,
      };
    },

    async transportFailure(km, e) {
      logger.warn('key manager unreachable (transport failure)', {
        keyManager: km.name,
        error: (e as Error).message,
      });
      await sleep(store.config.kmTransportFailureDelayMs);
      return errors.internal();
    },
  };
}
