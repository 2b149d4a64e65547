import { useApi } from '@backstage/core-plugin-api';
import { ResponseErrorPanel } from '@backstage/core-components';
import { apimCredentialsApiRef } from '../../api';
import { AuditTable } from '../AuditTable';
import { PagerControls, useKeysetPages } from '../common';

const PAGE_SIZE = 10;

/** The entity's audit history, newest first, in keyset pages. */
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

  if (pages.error) {
    return (
      <ResponseErrorPanel
        title="The audit history could not be loaded"
        error={pages.error}
      />
    );
  }
  return (
    <div data-testid="entity-audit-history">
      <AuditTable
        title="Audit history"
        records={pages.items ?? []}
        isLoading={pages.loading}
        emptyMessage="Nobody has provided, verified or removed credentials for this entity yet."
      />
      <PagerControls
        pageNumber={pages.pageNumber}
        hasNext={pages.hasNext}
        hasPrevious={pages.hasPrevious}
        onNext={pages.next}
        onPrevious={pages.previous}
        disabled={pages.loading}
      />
    </div>
  );
}
