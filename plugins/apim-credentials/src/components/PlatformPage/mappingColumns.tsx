import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { TableColumn } from '@backstage/core-components';
import type { MappingRecord } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { formatDateTime } from '../common/format';
import { ActorCell, entityColumn } from '../common/tables';
import type { DisplayNames } from '../common/useDisplayNames';

// Ids are never broken inside: they wrap only between whole values, or scroll.
const mono = { fontFamily: 'monospace', whiteSpace: 'nowrap' as const };

/** The columns of the mappings table, environments and key managers by display name. */
export function mappingColumns(
  names: DisplayNames,
): TableColumn<MappingRecord>[] {
  return [
    entityColumn<MappingRecord>(),
    {
      title: 'Environment',
      field: 'environment',
      render: r => names.environment(r.environment),
    },
    {
      title: 'Key manager',
      field: 'keyManager',
      render: r => names.keyManager(r.keyManager, r.environment),
    },
    {
      title: 'Consumer key',
      field: 'consumerKey',
      render: r => <span style={mono}>{r.consumerKey}</span>,
    },
    {
      title: 'Provisioned',
      field: 'provisionedAt',
      render: r => (
        <ActorCell who={r.provisionedBy}>
          {formatDateTime(r.provisionedAt)}
        </ActorCell>
      ),
    },
    {
      title: 'State',
      field: 'state',
      render: r =>
        r.state === 'drifted' ? (
          <Typography variant="body2" color="error">
            drifted{r.driftReason ? `: ${r.driftReason}` : ''}
          </Typography>
        ) : (
          r.state
        ),
    },
  ];
}

/** The rest of a mapping, shown when its row is expanded (issue 15 item 6). */
export function MappingDetails(props: {
  record: MappingRecord;
  names: DisplayNames;
}) {
  const r = props.record;
  const rows: [string, string][] = [
    [
      'Environment',
      `${props.names.environment(r.environment)} (${r.environment}, ${
        r.keyType
      })`,
    ],
    [
      'Key manager',
      `${props.names.keyManager(r.keyManager, r.environment)} (${
        r.keyManager
      })`,
    ],
    ['Application', `${r.applicationName} (instance ${r.instance})`],
    ['Application id', r.applicationId],
    ['keyMappingId', r.keyMappingId],
    ['Grant types', r.grantTypes.join(', ') || 'none'],
  ];
  return (
    <Box px={3} py={1.5}>
      {rows.map(([label, value]) => (
        <Typography key={label} variant="body2">
          <Typography component="span" variant="body2" color="textSecondary">
            {label}:{' '}
          </Typography>
          <span
            style={
              label.endsWith('id') || label === 'keyMappingId'
                ? mono
                : undefined
            }
          >
            {value}
          </span>
        </Typography>
      ))}
    </Box>
  );
}
