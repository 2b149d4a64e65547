import { FormEvent, useState } from 'react';
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
import { formatDateTime, PagerControls, useKeysetPages } from '../common';
import { compact, normaliseEntityRef } from './filters';
import { SelectFilter } from './SelectFilter';
import { useEnvironmentOptions } from './useEnvironmentOptions';

const PAGE_SIZE = 25;
const mono = { fontFamily: 'monospace', wordBreak: 'break-all' as const };

const columns: TableColumn<MappingRecord>[] = [
  {
    title: 'Entity',
    field: 'entityRef',
    render: r => <EntityRefLink entityRef={r.entityRef} />,
  },
  {
    title: 'Environment',
    field: 'environment',
    render: r => `${r.environment} (${r.keyType})`,
  },
  { title: 'Key manager', field: 'keyManager' },
  {
    title: 'Consumer key',
    field: 'consumerKey',
    render: r => <span style={mono}>{r.consumerKey}</span>,
  },
  {
    title: 'keyMappingId',
    field: 'keyMappingId',
    render: r => <span style={mono}>{r.keyMappingId}</span>,
  },
  {
    title: 'Application',
    field: 'applicationName',
    render: r => `${r.applicationName} (${r.instance})`,
  },
  {
    title: 'Grant types',
    field: 'grantTypes',
    render: r => r.grantTypes.join(', '),
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

type Filters = Omit<MappingsQuery, 'limit' | 'cursor'>;

/**
 * Every current mapping in the organisation, filtered by environment, key manager, entity and
 * consumer key (who holds this client? the `find-consumer-key` lookup, issue 14 item 3).
 */
export function MappingsTab() {
  const api = useApi(apimCredentialsApiRef);
  const options = useEnvironmentOptions();
  const [environment, setEnvironment] = useState('');
  const [keyManager, setKeyManager] = useState('');
  const [entity, setEntity] = useState('');
  const [consumerKey, setConsumerKey] = useState('');
  const [applied, setApplied] = useState<Filters>({});

  const pages = useKeysetPages(
    cursor => api.getMappings({ ...applied, limit: PAGE_SIZE, cursor }),
    JSON.stringify(applied),
  );

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
          options={options.keyManagers.map(k => ({ value: k, label: k }))}
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
          columns={columns}
          data={pages.items ?? []}
          isLoading={pages.loading}
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
