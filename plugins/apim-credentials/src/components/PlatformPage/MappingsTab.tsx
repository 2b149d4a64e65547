import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import TextField from '@material-ui/core/TextField';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseErrorPanel, Table } from '@backstage/core-components';
import type {
  MappingRecord,
  MappingsQuery,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { apimCredentialsApiRef } from '../../api';
import { useReportCount } from '../common/notes';
import { PagerControls } from '../common/PagerControls';
import {
  DENSE_TABLE_OPTIONS,
  EmptyTableMessage,
  useDetailPanel,
} from '../common/tables';
import { countLabel, useKeysetPages } from '../common/useKeysetPages';
import { useDisplayNames } from '../common/useDisplayNames';
import { compact, normaliseEntityRef } from './filters';
import { FilterForm } from './FilterForm';
import { MappingDetails, mappingColumns } from './mappingColumns';
import { draftSelects } from './SelectFilter';
import { useEnvironmentOptions } from './useEnvironmentOptions';

const PAGE_SIZE = 25;
type Filters = Omit<MappingsQuery, 'limit' | 'cursor'>;
const MAPPING_FILTERS = [
  'environment',
  'keyManager',
  'entityRef',
  'consumerKey',
] as const;
type Draft = Record<(typeof MAPPING_FILTERS)[number], string>;

/** The fields as typed: the applied filters, blank where unset. */
function draftOf(filters: Filters): Draft {
  return Object.fromEntries(
    MAPPING_FILTERS.map(key => [key, filters[key] ?? '']),
  ) as Draft;
}

/** The free-text fields, after the drop-downs. */
const TEXT_FIELDS = [
  {
    key: 'entityRef',
    id: 'mappings-entity',
    label: 'Entity',
    placeholder: 'component:default/orders-service',
    type: undefined,
  },
  {
    key: 'consumerKey',
    id: 'mappings-consumer-key',
    label: 'Consumer key',
    placeholder: 'Who holds this client id?',
    type: 'search',
  },
] as const;

/**
 * Every current mapping in the organisation, filtered by environment, key manager, entity and
 * consumer key (who holds this client? the `find-consumer-key` lookup, issue 14 item 3).
 */
export function MappingsTab(props: { onCount?: (count: string) => void }) {
  const api = useApi(apimCredentialsApiRef);
  const names = useDisplayNames();
  // Stable props: material-table rebuilds its rows when columns or panels change identity.
  const tableColumns = useMemo(() => mappingColumns(names), [names]);
  const detailPanel = useDetailPanel(
    'Show the full mapping',
    MappingDetails,
    names,
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
  const [draft, setDraft] = useState<Draft>(() => draftOf(applied));
  useEffect(() => {
    // Back or a link changed the filters: the fields follow.
    setDraft(draftOf(JSON.parse(appliedKey)));
  }, [appliedKey]);
  const set = (key: keyof Draft) => (value: string) =>
    setDraft(d => ({ ...d, [key]: value }));
  const select = draftSelects('mappings', draft, set);
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
  useReportCount(countLabel(pages), props.onCount);

  const apply = () => {
    setApplied(
      compact({
        environment: draft.environment,
        keyManager: draft.keyManager,
        entityRef: normaliseEntityRef(draft.entityRef, 'component'),
        // An exact identifier: pasted keys often carry stray blanks at either end.
        consumerKey: draft.consumerKey.trim(),
      }),
    );
  };

  return (
    <>
      <FilterForm label="Mapping filters" onSubmit={apply}>
        {select('environment', 'Environment', options.environmentChoices)}
        {select(
          'keyManager',
          'Key manager',
          options.keyManagers.map(k => ({
            value: k,
            label: names.keyManager(k),
          })),
        )}
        {TEXT_FIELDS.map(field => (
          <TextField
            key={field.key}
            id={field.id}
            label={field.label}
            placeholder={field.placeholder}
            type={field.type}
            value={draft[field.key]}
            onChange={e => set(field.key)(e.target.value)}
            size="small"
            variant="outlined"
          />
        ))}
      </FilterForm>
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
          options={DENSE_TABLE_OPTIONS}
          emptyContent={
            <EmptyTableMessage>
              No client is mapped
              {Object.keys(applied).length ? ' for these filters' : ' yet'}.
            </EmptyTableMessage>
          }
        />
      )}
      <PagerControls pages={pages} />
    </>
  );
}
