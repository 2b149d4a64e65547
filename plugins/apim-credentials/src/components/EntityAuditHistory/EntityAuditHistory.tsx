import { useApi } from '@backstage/core-plugin-api';
import { apimCredentialsApiRef } from '../../api';
import { AuditTable } from '../AuditTable';
import { LoadFailure } from '../common/notes';
import { PagerControls } from '../common/PagerControls';
import { useKeysetPages } from '../common/useKeysetPages';

const PAGE_SIZE = 10;

/**
 * The entity's audit history, newest first, in keyset pages. A failed load says why in one line
 * (the backend's message, never a stack) above the rows that were already shown (issue 15
 * item 5).
 */
export function EntityAuditHistory(props: {
  entityRef: string;
  refreshKey: number;
}) {
  const api = useApi(apimCredentialsApiRef);
  const pages = useKeysetPages(
    cursor =>
      api.getAudit({ entityRef: props.entityRef, limit: PAGE_SIZE, cursor }),
    `${props.entityRef}#${props.refreshKey}`,
  );

  return (
    <div data-testid="entity-audit-history">
      {pages.error && (
        <LoadFailure what="audit history" error={pages.error} paragraph />
      )}
      <AuditTable
        title="Audit history"
        records={pages.lastItems ?? []}
        isLoading={pages.loading}
        emptyMessage="Nobody has provided, verified or removed credentials for this entity yet."
      />
      <PagerControls pages={pages} />
    </div>
  );
}
