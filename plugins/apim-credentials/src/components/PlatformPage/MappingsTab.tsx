import { FormEvent, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/core-plugin-api';
import {
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type {
  MappingRecord,
  MappingsQuery,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { apimCredentialsApiRef } from '../../api';
import { formatDateTime } from '../common/format';
import { PagerControls } from '../common/PagerControls';
import { useKeysetPages } from '../common/useKeysetPages';
import { DisplayNames, useDisplayNames } from '../common/useDisplayNames';
import { compact, normaliseEntityRef } from './filters';
import { SelectFilter } from './SelectFilter';
import { useEnvironmentOptions } from './useEnvironmentOptions';

const PAGE_SIZE = 25;
const TABLE_OPTIONS = {
  paging: false,
  search: false,
  padding: 'dense' as const,
  sorting: false,
  draggable: false,
};
// Ids are never broken inside: they wrap only between whole values, or scroll.
const mono = { fontFamily: 'monospace', whiteSpace: 'nowrap' as const };

function columns(names: DisplayNames): TableColumn<MappingRecord>[] {
  return [
    {
      title: 'Entity',
      field: 'entityRef',
      render: r => <EntityRefLink entityRef={r.entityRef} />,
    },
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
        <>
          <EntityRefLink entityRef={r.provisionedBy} defaultKind="user" />
          <Typography variant="caption" color="textSecondary" display="block">
            {formatDateTime(r.provisionedAt)}
          </Typography>
        </>
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
function MappingDetails(props: { record: MappingRecord; names: DisplayNames }) {
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

type Filters = Omit<MappingsQuery, 'limit' | 'cursor'>;
const MAPPING_FILTERS = [
  'environment',
  'keyManager',
  'entityRef',
  'consumerKey',
] as const;

/**
 * Every current mapping in the organisation, filtered by environment, key manager, entity and
 * consumer key (who holds this client? the `find-consumer-key` lookup, issue 14 item 3).
 */
export function MappingsTab(props: { onCount?: (count: string) => void }) {
  const api = useApi(apimCredentialsApiRef);
  const names = useDisplayNames();
  // Stable props: material-table rebuilds its rows when columns or panels change identity.
  const tableColumns = useMemo(() => columns(names), [names]);
  const detailPanel = useMemo(
    () => [
      {
        tooltip: 'Show the full mapping',
        render: ({ rowData }: { rowData: MappingRecord }) => (
          <MappingDetails record={rowData} names={names} />
        ),
      },
    ],
    [names],
  );
  const options = useEnvironmentOptions();
  // Applied filters live in the URL (prefixed, beside the audit log's), so Back and shared links
  // show the same mappings (issue 15 item 5).
  const [searchParams, setSearchParams] = useSearchParams();
  const appliedKey = JSON.stringify(
    compact(
      Object.fromEntries(
        MAPPING_FILTERS.map(key => [key, searchParams.get(`m.${key}`) ?? '']),
      ),
    ),
  );
  const applied = useMemo(
    () => JSON.parse(appliedKey) as Filters,
    [appliedKey],
  );
  const [environment, setEnvironment] = useState(applied.environment ?? '');
  const [keyManager, setKeyManager] = useState(applied.keyManager ?? '');
  const [entity, setEntity] = useState(applied.entityRef ?? '');
  const [consumerKey, setConsumerKey] = useState(applied.consumerKey ?? '');
  useEffect(() => {
    // Back or a link changed the filters: the fields follow.
    const f = JSON.parse(appliedKey) as Filters;
    setEnvironment(f.environment ?? '');
    setKeyManager(f.keyManager ?? '');
    setEntity(f.entityRef ?? '');
    setConsumerKey(f.consumerKey ?? '');
  }, [appliedKey]);
  const setApplied = (filters: Partial<Filters>) => {
    const next = new URLSearchParams(searchParams);
    for (const key of MAPPING_FILTERS) {
      const value = filters[key];
      if (value) next.set(`m.${key}`, String(value));
      else next.delete(`m.${key}`);
    }
    setSearchParams(next);
  };

  const pages = useKeysetPages(
    cursor => api.getMappings({ ...applied, limit: PAGE_SIZE, cursor }),
    JSON.stringify(applied),
  );
  // The backend's total of the filters; a page's own count ("50+") from an older backend.
  let count = pages.total !== undefined ? String(pages.total) : undefined;
  if (count === undefined && pages.items) {
    count = `${pages.items.length}${pages.hasNext ? '+' : ''}`;
  }
  const { onCount } = props;
  useEffect(() => {
    if (count !== undefined) onCount?.(count);
  }, [count, onCount]);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setApplied(
      compact({
        environment,
        keyManager,
        entityRef: normaliseEntityRef(entity, 'component'),
        // An exact identifier: pasted keys often carry stray blanks at either end.
        consumerKey: consumerKey.trim(),
      }),
    );
  };

  return (
    <>
      <Box
        component="form"
        onSubmit={apply}
        display="flex"
        flexWrap="wrap"
        alignItems="center"
        mb={2}
        style={{ gap: 12 }}
        aria-label="Mapping filters"
      >
        <SelectFilter
          id="mappings-environment"
          label="Environment"
          value={environment}
          options={options.environments.map(e => ({
            value: e.id,
            label: e.title,
          }))}
          onChange={setEnvironment}
        />
        <SelectFilter
          id="mappings-key-manager"
          label="Key manager"
          value={keyManager}
          options={options.keyManagers.map(k => ({
            value: k,
            label: names.keyManager(k),
          }))}
          onChange={setKeyManager}
        />
        <TextField
          id="mappings-entity"
          label="Entity"
          placeholder="component:default/orders-service"
          value={entity}
          onChange={e => setEntity(e.target.value)}
          size="small"
          variant="outlined"
        />
        <TextField
          id="mappings-consumer-key"
          label="Consumer key"
          placeholder="Who holds this client id?"
          type="search"
          value={consumerKey}
          onChange={e => setConsumerKey(e.target.value)}
          size="small"
          variant="outlined"
        />
        <Button type="submit" variant="outlined" color="primary">
          Apply filters
        </Button>
      </Box>
      {pages.error ? (
        <ResponseErrorPanel
          title="The mappings could not be loaded"
          error={pages.error}
        />
      ) : (
        <Table<MappingRecord>
          title="Current mappings"
          columns={tableColumns}
          data={pages.items ?? []}
          detailPanel={detailPanel}
          isLoading={pages.loading}
          options={TABLE_OPTIONS}
          emptyContent={
            <Typography
              variant="body2"
              color="textSecondary"
              style={{ padding: 16 }}
            >
              No client is mapped
              {Object.keys(applied).length ? ' for these filters' : ' yet'}.
            </Typography>
          }
        />
      )}
      <PagerControls
        pageNumber={pages.pageNumber}
        hasNext={pages.hasNext}
        hasPrevious={pages.hasPrevious}
        onNext={pages.next}
        onPrevious={pages.previous}
        disabled={pages.loading}
      />
    </>
  );
}
