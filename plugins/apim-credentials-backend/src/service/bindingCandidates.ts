/**
 * `GET /bindings/candidates` (issue 10 item 1): applications named by an entity's
 * `wso2.com/apim-application` annotation, existing in API-M and bound to no entity, with the
 * entities naming them. Bounded work per request, whatever the size of the catalog:
 *
 * - the catalog is asked only for entities that carry the annotation (a `$exists` predicate),
 *   only the fields that name them, a page at a time ({@link CANDIDATE_PAGE_SIZE});
 * - names already bound are dropped with one database query per page and instance, before
 *   API-M is asked anything;
 * - API-M is asked once per distinct unbound name and instance (through the directory's cache),
 *   and the scan stops once `limit` candidates are found or {@link MAX_LOOKUPS} names were
 *   looked up; the answer then says it is `truncated`.
 */
import type { BindingCandidate } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { ApimClient } from '../apim/ApimClient';
import type { ApimApplication } from '../apim/types';
import {
  ApplicationBindingStore,
  applicationNameKey,
} from '../database/ApplicationBindingStore';

/** Entities per catalog page. */
export const CANDIDATE_PAGE_SIZE = 200;
/** API-M name lookups one request may make (over all instances). */
export const MAX_LOOKUPS = 500;

/** An entity and the application its annotation names. */
export interface NamedApplication {
  entityRef: string;
  applicationName: string;
}

export interface CandidateScan {
  items: BindingCandidate[];
  /** More candidates may exist: the limit (or the lookup budget) was reached first. */
  truncated: boolean;
}

/**
 * Scans `pages` (annotated entities, a page at a time) for candidates.
 *
 * @param deps.bindings - the bindings table; `boundNameKeys` filters a page's names
 * @param deps.instances - every configured instance and its client
 * @param deps.findApplication - the exact-name lookup in API-M (cached by the directory)
 * @param limit - how many candidates to return at most (1..500)
 * @throws whatever the catalog, the database or API-M throw; nothing is changed
 */
export async function scanCandidates(
  deps: {
    bindings: ApplicationBindingStore;
    instances: Array<[string, ApimClient]>;
    findApplication(
      client: ApimClient,
      name: string,
    ): Promise<ApimApplication | undefined>;
  },
  pages: AsyncIterable<NamedApplication[]>,
  limit: number,
): Promise<CandidateScan> {
  /** Name key -> spellings and entities, over every page read so far. */
  const named = new Map<string, { names: Set<string>; refs: Set<string> }>();
  /** instance + name key -> the candidate, or null when looked up and not one. */
  const decided = new Map<string, BindingCandidate | null>();
  const items: BindingCandidate[] = [];
  let lookups = 0;
  for await (const page of pages) {
    const fresh = new Set<string>();
    for (const n of page) {
      const key = applicationNameKey(n.applicationName);
      const entry = named.get(key) ?? { names: new Set(), refs: new Set() };
      entry.names.add(n.applicationName);
      entry.refs.add(n.entityRef);
      named.set(key, entry);
      fresh.add(key);
    }
    for (const [instance, client] of deps.instances) {
      const open = [...fresh].filter(
        k => !decided.has(`${instance}\u0000${k}`),
      );
      const bound = await deps.bindings.boundNameKeys(instance, open);
      for (const key of open) {
        const id = `${instance}\u0000${key}`;
        if (bound.has(key)) {
          decided.set(id, null);
          continue;
        }
        if (items.length >= limit || lookups >= MAX_LOOKUPS) {
          return { items: finish(items, named), truncated: true };
        }
        // API-M's lookup is by exact name: try each spelling the annotations use.
        let app: ApimApplication | undefined;
        for (const name of named.get(key)!.names) {
          lookups += 1;
          app = await deps.findApplication(client, name);
          if (app) break;
        }
        const candidate = app
          ? {
              instance,
              applicationId: app.applicationId,
              applicationName: app.name,
              entityRefs: [],
            }
          : null;
        decided.set(id, candidate);
        if (candidate) items.push(candidate);
      }
    }
    // Enough: the next page is not read (there may be more, so the answer says truncated).
    if (items.length >= limit) {
      return { items: finish(items, named), truncated: true };
    }
  }
  return { items: finish(items, named), truncated: false };
}

/** Fills in the entities naming each candidate (later pages may have added some). */
function finish(
  items: BindingCandidate[],
  named: Map<string, { refs: Set<string> }>,
): BindingCandidate[] {
  return items.map(c => ({
    ...c,
    entityRefs: [
      ...(named.get(applicationNameKey(c.applicationName))?.refs ?? []),
    ].sort(),
  }));
}
