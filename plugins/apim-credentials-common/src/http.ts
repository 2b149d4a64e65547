/** URL helpers of the backend's HTTP client (client.ts, subscriptions.ts). */
import { CompoundEntityRef, parseEntityRef } from '@backstage/catalog-model';
import type { RequestOptions } from './client';

export type FetchLike = (
  input: string,
  init?: RequestInit,
) => Promise<Response>;

/**
 * The request function of ApimCredentialsClient, which the route groups' methods
 * (subscriptions, approvals, bindings) call: resolves with the JSON body, rejects with an
 * `ApimCredentialsResponseError`.
 */
export type RequestFn = <T>(
  method: string,
  path: string,
  body: unknown,
  options?: RequestOptions,
) => Promise<T>;

export function entityPath(entityRef: string): string {
  const ref: CompoundEntityRef = parseEntityRef(entityRef);
  return [ref.kind, ref.namespace, ref.name].map(encodeURIComponent).join('/');
}

/** `/entities/:kind/:namespace/:name/credentials/:environment/:keyManager`, each part encoded. */
export function cellPath(cell: {
  entityRef: string;
  environment: string;
  keyManager: string;
}) {
  return `/entities/${entityPath(
    cell.entityRef,
  )}/credentials/${encodeURIComponent(cell.environment)}/${encodeURIComponent(
    cell.keyManager,
  )}`;
}

export function toSearch(query: object | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '')
      params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
