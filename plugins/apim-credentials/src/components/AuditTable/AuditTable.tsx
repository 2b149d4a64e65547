import Typography from '@material-ui/core/Typography';
import { Table, TableColumn } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type { AuditRecord } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { formatDateTime, OutcomeChip } from '../common';

const mono = { fontFamily: 'monospace', wordBreak: 'break-all' as const };

function columns(showEntity: boolean): TableColumn<AuditRecord>[] {
  const all: (TableColumn<AuditRecord> | false)[] = [
    {
      title: 'When',
      field: 'startedAt',
      render: r => formatDateTime(r.startedAt),
    },
    showEntity && {
      title: 'Entity',
      field: 'entityRef',
      render: r =>
        r.entityRef ? <EntityRefLink entityRef={r.entityRef} /> : '',
    },
    {
      title: 'Actor',
      field: 'actor',
      render: r =>
        r.actor.includes(':') ? (
          <EntityRefLink entityRef={r.actor} defaultKind="user" />
        ) : (
          r.actor
        ),
    },
    {
      title: 'Action',
      field: 'action',
    },
    {
      title: 'Outcome',
      field: 'outcome',
      render: r => <OutcomeChip outcome={r.outcome} />,
    },
    {
      title: 'Environment',
      field: 'environment',
      render: r =>
        [r.environment, r.keyType && `(${r.keyType})`]
          .filter(Boolean)
          .join(' '),
    },
    { title: 'Key manager', field: 'keyManager' },
    {
      title: 'Consumer key',
      field: 'consumerKey',
      render: r => <span style={mono}>{r.consumerKey ?? ''}</span>,
    },
    {
      title: 'Via',
      field: 'source',
      render: r =>
        [r.via ?? r.source, r.taskId && `task ${r.taskId}`]
          .filter(Boolean)
          .join(', '),
    },
    {
      title: 'Details',
      field: 'errorMessage',
      render: r =>
        r.errorMessage || r.errorCode ? (
          <Typography variant="body2" color="error">
            {[r.errorCode, r.errorMessage].filter(Boolean).join(': ')}
          </Typography>
        ) : (
          r.keyMappingId && (
            <span style={mono}>keyMappingId {r.keyMappingId}</span>
          )
        ),
    },
  ];
  return all.filter((c): c is TableColumn<AuditRecord> => Boolean(c));
}

/** Audit records, newest first as the backend returns them; paging is the caller's. */
export function AuditTable(props: {
  title: string;
  records: AuditRecord[];
  showEntity?: boolean;
  isLoading?: boolean;
  emptyMessage: string;
}) {
  return (
    <Table<AuditRecord>
      title={props.title}
      columns={columns(Boolean(props.showEntity))}
      data={props.records}
      isLoading={props.isLoading}
      options={{
        paging: false,
        search: false,
        padding: 'dense',
        sorting: false,
        draggable: false,
      }}
      emptyContent={
        <Typography
          variant="body2"
          color="textSecondary"
          style={{ padding: 16 }}
        >
          {props.emptyMessage}
        </Typography>
      }
    />
  );
}
