import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';

/**
 * Accepts what people type for an entity ("orders-service", "component:orders-service",
 * "Component:default/orders-service") and returns the full, canonical ref the API expects.
 * Returns the trimmed text unchanged when it is not a ref, so the backend can say why.
 */
export function normaliseEntityRef(
  text: string,
  defaultKind: string,
): string | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(trimmed, { defaultKind, defaultNamespace: 'default' }),
    );
  } catch {
    return trimmed;
  }
}

/** Drops empty values, so filters serialise the same whether a field is blank or unset. */
export function compact<T extends object>(filters: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(filters).filter(([, v]) => v !== undefined && v !== ''),
  ) as Partial<T>;
}
