/**
 * Stored entity refs are canonical (lower-case) so that every filter and comparison finds an
 * entity whatever case its ref was typed in (migration 20261130100000_canonical_entity_refs).
 */
import { canonicalEntityRef } from '@apim-credentials/backstage-plugin-apim-credentials-common';

/**
 * The stored form of an entity ref or actor; a value that is not an entity ref is only folded.
 * A service principal's subject (`external:<name>`, `plugin:<id>`) looks like a ref without a
 * namespace but is not one: given a `default/` namespace it would name an actor that never was.
 */
export function canonicalRef(ref: string): string {
  if (/^(external|plugin):/i.test(ref)) return ref.toLocaleLowerCase('en-US');
  try {
    return canonicalEntityRef(ref);
  } catch {
    return ref.toLocaleLowerCase('en-US');
  }
}

/** `canonicalRef` of a value that may be absent; `null` (the column's value) when it is. */
export function canonicalRefOrNull(ref: string | undefined): string | null {
  return ref ? canonicalRef(ref) : null;
}
