import { useMemo } from 'react';
import Typography from '@material-ui/core/Typography';
import { Table, TableColumn } from '@backstage/core-components';
import type { AuditRecord } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { formatDateTime } from '../common/format';
import { OutcomeChip } from '../common/OutcomeChip';
import {
  DENSE_TABLE_OPTIONS,
  EmptyTableMessage,
  entityColumn,
  useDetailPanel,
} from '../common/tables';
import { DisplayNames, useDisplayNames } from '../common/useDisplayNames';
import { AuditRecordDetails } from './AuditRecordDetails';
import { auditSummary, verifiedLabel } from './auditSummary';

// The summary takes what is left and ends in an ellipsis, so the table fits at 1024 px.
const summaryStyle = {
  maxWidth: '34vw',
  overflow: 'hidden',
  textOverflow: 'ellipsis',
  whiteSpace: 'nowrap' as const,
};

function columns(
  showEntity: boolean,
  names: DisplayNames,
): TableColumn<AuditRecord>[] {
  const all: (TableColumn<AuditRecord> | false)[] = [
    {
      title: 'When',
      field: 'startedAt',
      render: r => (
        <span style={{ whiteSpace: 'nowrap' }}>
          {formatDateTime(r.startedAt)}
        </span>
      ),
    },
    showEntity && entityColumn<AuditRecord>(),
    { title: 'Action', field: 'action' },
    {
      title: 'Outcome',
      field: 'outcome',
      render: r => <OutcomeChip outcome={r.outcome} />,
    },
    {
      title: 'Verified',
      field: 'verified',
      render: r => (r.action === 'provision' ? verifiedLabel(r) : ''),
    },
    {
      title: 'Summary',
      field: 'consumerKey',
      render: r => {
        const text = auditSummary(r, names);
        return (
          <Typography
            variant="body2"
            color={r.errorMessage ? 'error' : 'textPrimary'}
            style={summaryStyle}
            title={text}
          >
            {text}
          </Typography>
        );
      },
    },
  ];
  return all.filter((c): c is TableColumn<AuditRecord> => Boolean(c));
}

/**
 * Audit records, newest first as the backend returns them; paging is the caller's. A few
 * columns and a one-line summary per row; the expand button shows the full record (issue 15
 * item 6). Environments and key managers appear by their display titles.
 */
export function AuditTable(props: {
  title: string;
  records: AuditRecord[];
  showEntity?: boolean;
  isLoading?: boolean;
  emptyMessage: string;
}) {
  const names = useDisplayNames();
  // Stable props: material-table rebuilds every row (and closes every detail panel) when its
  // columns or panels change identity.
  const showEntity = Boolean(props.showEntity);
  const tableColumns = useMemo(
    () => columns(showEntity, names),
    [showEntity, names],
  );
  const detailPanel = useDetailPanel(
    'Show the full record',
    AuditRecordDetails,
    names,
  );
  return (
    <Table<AuditRecord>
      title={props.title}
      columns={tableColumns}
      data={props.records}
      isLoading={props.isLoading}
      detailPanel={detailPanel}
      options={DENSE_TABLE_OPTIONS}
      emptyContent={<EmptyTableMessage>{props.emptyMessage}</EmptyTableMessage>}
    />
  );
}
