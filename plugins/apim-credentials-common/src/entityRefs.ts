/**
 * One spelling per entity. Backstage's catalog compares entity refs case-insensitively
 * (`Component:Default/Orders-Service` and `component:default/orders-service` name one entity), so
 * everything we store, filter on or compare uses the canonical form below; otherwise an audit
 * filter typed in another case finds nothing and one entity gets two histories.
 */
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';

/** Printable ASCII only: folded the plain way (the same result as the locale-aware fold). */
const ASCII = /^[\u0020-\u007e]*$/;

/**
 * The canonical form of an entity ref: the full `kind:namespace/name`, lower-cased the way the
 * catalog folds refs (`toLocaleLowerCase('en-US')`). A ref without a namespace gets `default`.
 *
 * @param ref - a ref string (`Component:Default/Orders`, `component:orders`), a compound ref
 *   (`{ kind, namespace?, name }`) or an entity
 * @throws TypeError from `parseEntityRef` when the string is not an entity ref with a kind
 *
 * @public
 */
export function canonicalEntityRef(
  ref: string | Entity | { kind: string; namespace?: string; name: string },
): string {
  const parsed = typeof ref === 'string' ? parseEntityRef(ref) : ref;
  const text = stringifyEntityRef(parsed);
  // Every request folds several refs; for ASCII (nearly every ref) the locale-aware fold is the
  // plain one, without its cost (a measurable share of a provisioning's CPU time, issue 9).
  return ASCII.test(text)
    ? text.toLowerCase()
    : text.toLocaleLowerCase('en-US');
}
