/**
 * Transitional (issue 9, "split the store by aggregate"): the audit and mapping methods the
 * routes, the actions and the subscription routes still take as one `store` while they move to
 * the stores of each aggregate (AuditStore, MappingStore) and to service/AuditTrail.ts. Each
 * method is the aggregate store's own; nothing here touches the database itself.
 */
import type { AuditStore } from './AuditStore';
import type { MappingStore } from './MappingStore';

export type { AuditCompletion, AuditStart } from './AuditStore';
export type { MappingUpsert } from './MappingStore';

/** The audit rows and mapping pages the routes read and write. */
export type ApimCredentialsStore = Pick<
  AuditStore,
  'startAudit' | 'completeAudit' | 'recordAudit' | 'queryAudit' | 'streamAudit'
> &
  Pick<MappingStore, 'queryMappings'>;

/** The routes' view of the audit and mapping stores. */
export function routeStoreOf(stores: {
  audit: AuditStore;
  mappings: MappingStore;
}): ApimCredentialsStore {
  const { audit, mappings } = stores;
  return {
    startAudit: (start, now) => audit.startAudit(start, now),
    completeAudit: (id, completion, now) =>
      audit.completeAudit(id, completion, now),
    recordAudit: (start, completion) => audit.recordAudit(start, completion),
    queryAudit: query => audit.queryAudit(query),
    streamAudit: (query, batchSize) => audit.streamAudit(query, batchSize),
    queryMappings: query => mappings.queryMappings(query),
  };
}
