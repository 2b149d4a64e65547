import type { ReactNode } from 'react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type { AuditRecord } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { formatDateTime } from '../common/format';
import type { DisplayNames } from '../common/useDisplayNames';
import { verifiedLabel } from './auditSummary';

// Ids are copied, compared and searched for whole: never broken inside, scrolled if too long.
const id = {
  fontFamily: 'monospace',
  whiteSpace: 'nowrap' as const,
  overflowX: 'auto' as const,
  display: 'block',
};

/** The full record of an audit row, shown when the row is expanded (issue 15 item 6). */
export function AuditRecordDetails(props: {
  record: AuditRecord;
  names: DisplayNames;
}) {
  const { record: r, names } = props;
  const rows: [string, ReactNode][] = [
    ['Started', formatDateTime(r.startedAt)],
    ['Finished', formatDateTime(r.finishedAt) || 'not yet (pending)'],
    [
      'Actor',
      r.actor.includes(':') ? (
        <EntityRefLink entityRef={r.actor} defaultKind="user" />
      ) : (
        r.actor
      ),
    ],
    ['Source', [r.source, r.via].filter(Boolean).join(', via ')],
    ['Scaffolder task', r.taskId && <span style={id}>{r.taskId}</span>],
    ['Entity', r.entityRef && <EntityRefLink entityRef={r.entityRef} />],
    [
      'Environment',
      r.environment &&
        `${names.environment(r.environment)} (${r.environment}${
          r.keyType ? `, ${r.keyType}` : ''
        })`,
    ],
    ['Instance', r.instance],
    [
      'Key manager',
      r.keyManager &&
        `${names.keyManager(r.keyManager, r.environment)} (${r.keyManager})`,
    ],
    [
      'Credentials verified first',
      r.action === 'provision' && verifiedLabel(r),
    ],
    ['Application', r.applicationName],
    [
      'Application id',
      r.applicationId && <span style={id}>{r.applicationId}</span>,
    ],
    ['Consumer key', r.consumerKey && <span style={id}>{r.consumerKey}</span>],
    [
      'keyMappingId',
      r.keyMappingId && <span style={id}>{r.keyMappingId}</span>,
    ],
    ['Error code', r.errorCode],
    ['Error', r.errorMessage],
    ['Resolution', r.resolution],
    ['Note', r.note],
    ['Dry run', r.dryRun && 'yes'],
    ['Request id', r.requestId && <span style={id}>{r.requestId}</span>],
    ['Audit id', <span style={id}>{r.id}</span>],
  ];
  return (
    <Box
      component="dl"
      px={3}
      py={1.5}
      m={0}
      display="grid"
      style={{
        gridTemplateColumns: 'minmax(120px, max-content) minmax(0, 1fr)',
        columnGap: 16,
        rowGap: 4,
      }}
      aria-label={`Audit record ${r.id}`}
    >
      {rows
        .filter(
          ([, value]) => value !== undefined && value !== '' && value !== false,
        )
        .map(([label, value]) => (
          <Box key={label} display="contents">
            <Typography component="dt" variant="body2" color="textSecondary">
              {label}
            </Typography>
            <Typography
              component="dd"
              variant="body2"
              style={{ margin: 0, minWidth: 0, whiteSpace: 'pre-wrap' }}
            >
              {value}
            </Typography>
          </Box>
        ))}
    </Box>
  );
}
