import { useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import GetAppIcon from '@material-ui/icons/GetApp';
import { useApi } from '@backstage/core-plugin-api';
import {
  AUDIT_ACTIONS,
  AUDIT_OUTCOMES,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { apimCredentialsApiRef } from '../../api';
import { AuditTable } from '../AuditTable';
import { backendMessage } from '../common/errors';
import { ErrorNote, StatusNote, useReportCount } from '../common/notes';
import { PagerControls } from '../common/PagerControls';
import { countLabel, useKeysetPages } from '../common/useKeysetPages';
import {
  AuditDraft,
  AuditDraftErrors,
  countCsvRows,
  draftOf,
  fieldOfBackendError,
  filtersFromUrl,
  filtersToUrl,
  validateDraft,
} from './auditFilters';
import { auditExportFilename, downloadBlob } from './downloadBlob';
import { EntityRefPicker } from './EntityRefPicker';
import { FilterForm } from './FilterForm';
import { choicesOf, draftSelects } from './SelectFilter';
import { useEnvironmentOptions } from './useEnvironmentOptions';

const PAGE_SIZE = 50;
/** How long typing may pause before the filters apply (the catalog's table feels the same). */
export const FILTER_DEBOUNCE_MS = 400;
/** The time window's fields, both `datetime-local`. */
const TIME_FIELDS = [
  ['since', 'Since'],
  ['until', 'Until'],
] as const;

/**
 * The organisation's audit log (issue 15 item 5): filters that apply as they change (debounced)
 * and live in the URL with the tab (Back and shared links show the same rows), keyset pages, and
 * the CSV export of exactly the filters shown, which says how many rows it wrote. A bad value is
 * an error under its field; the rows of the last valid filters stay on screen.
 *
 * @param props.onCount - told the number of rows shown ("50+" when there are more pages)
 */
export function AuditLogTab(props: { onCount?: (count: string) => void }) {
  const api = useApi(apimCredentialsApiRef);
  const options = useEnvironmentOptions();
  const [searchParams, setSearchParams] = useSearchParams();
  const applied = useMemo(() => filtersFromUrl(searchParams), [searchParams]);
  const appliedKey = JSON.stringify(applied);
  const tab = searchParams.get('tab');

  const [draft, setDraft] = useState<AuditDraft>(() => draftOf(applied));
  const [errors, setErrors] = useState<AuditDraftErrors>({});
  const dirty = useRef(false);
  const ownKey = useRef(appliedKey);
  const [exporting, setExporting] = useState(false);
  const [exportNote, setExportNote] = useState<{
    error?: string;
    rows?: number;
  }>();

  // The URL changed under us (Back, a link): the fields follow it.
  useEffect(() => {
    if (appliedKey !== ownKey.current) {
      ownKey.current = appliedKey;
      dirty.current = false;
      setDraft(draftOf(JSON.parse(appliedKey)));
      setErrors({});
    }
  }, [appliedKey]);

  const apply = (next: AuditDraft) => {
    const result = validateDraft(next);
    setErrors(result.errors);
    if (!result.filters) return;
    const key = JSON.stringify(result.filters);
    if (key === ownKey.current) return;
    ownKey.current = key;
    setExportNote(undefined);
    setSearchParams(filtersToUrl(result.filters, tab ? { tab } : {}));
  };

  useEffect(() => {
    if (!dirty.current) return undefined;
    const timer = setTimeout(() => apply(draft), FILTER_DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draft]);

  const pages = useKeysetPages(
    cursor => api.getAudit({ ...applied, limit: PAGE_SIZE, cursor }),
    appliedKey,
  );
  const shown = pages.lastItems ?? [];
  useReportCount(countLabel(pages), props.onCount);

  const loadError = pages.error ? backendMessage(pages.error) : undefined;
  const loadErrorField = pages.error
    ? fieldOfBackendError(pages.error)
    : undefined;
  const fieldError = (field: keyof AuditDraft) =>
    errors[field] ?? (loadErrorField === field ? loadError : undefined);

  const set = (field: keyof AuditDraft) => (value: string) => {
    dirty.current = true;
    setDraft(d => ({ ...d, [field]: value }));
  };
  const select = draftSelects('audit', draft, set);

  const exportCsv = async () => {
    setExporting(true);
    setExportNote(undefined);
    try {
      // The URL's filters: exactly what the table shows, whatever is still being typed.
      const blob = await api.exportAuditCsv(applied);
      downloadBlob(blob, auditExportFilename());
      const text = typeof blob.text === 'function' ? await blob.text() : '';
      setExportNote({ rows: countCsvRows(text) });
    } catch (error) {
      setExportNote({ error: backendMessage(error) });
    } finally {
      setExporting(false);
    }
  };

  const filtered = Object.keys(applied).length > 0;
  return (
    <>
      <FilterForm
        label="Audit filters"
        onSubmit={() => apply(draft)}
        alignItems="flex-start"
        actions={
          <>
            <Button
              variant="contained"
              color="primary"
              startIcon={<GetAppIcon />}
              onClick={exportCsv}
              disabled={exporting}
              aria-describedby="audit-export-scope"
            >
              {exporting ? 'Exporting…' : 'Export CSV'}
            </Button>
            <Typography
              id="audit-export-scope"
              variant="caption"
              color="textSecondary"
              style={{ alignSelf: 'center' }}
            >
              {filtered
                ? 'Exports every row matching the filters shown'
                : 'Exports the whole audit log'}
            </Typography>
          </>
        }
      >
        <EntityRefPicker
          id="audit-entity"
          label="Entity"
          placeholder="component:default/orders-service"
          kinds={['Component', 'API', 'Resource', 'System']}
          value={draft.entityRef}
          onChange={set('entityRef')}
          error={fieldError('entityRef')}
        />
        {select('environment', 'Environment', options.environmentChoices)}
        <EntityRefPicker
          id="audit-actor"
          label="Actor"
          placeholder="user:default/jane"
          kinds={['User']}
          value={draft.actor}
          onChange={set('actor')}
          error={fieldError('actor')}
        />
        {select('action', 'Action', choicesOf(AUDIT_ACTIONS))}
        {select('outcome', 'Outcome', choicesOf(AUDIT_OUTCOMES))}
        {TIME_FIELDS.map(([field, label]) => (
          <TextField
            key={field}
            id={`audit-${field}`}
            label={label}
            type="datetime-local"
            value={draft[field]}
            onChange={e => set(field)(e.target.value)}
            size="small"
            variant="outlined"
            InputLabelProps={{ shrink: true }}
            error={Boolean(fieldError(field))}
            helperText={fieldError(field)}
          />
        ))}
      </FilterForm>
      {exportNote?.error && (
        <ErrorNote paragraph>
          The CSV export failed: {exportNote.error}
        </ErrorNote>
      )}
      {exportNote?.rows !== undefined && (
        <StatusNote>
          Exported {exportNote.rows} {exportNote.rows === 1 ? 'row' : 'rows'}{' '}
          {filtered ? 'matching the filters shown' : '(the whole audit log)'}.
        </StatusNote>
      )}
      {loadError && !loadErrorField && (
        <ErrorNote paragraph>
          The audit log could not be loaded: {loadError}
          {shown.length
            ? ' The rows below are those of the previous filters.'
            : ''}
        </ErrorNote>
      )}
      <AuditTable
        title="Audit log"
        showEntity
        records={shown}
        isLoading={pages.loading}
        emptyMessage={
          filtered
            ? 'No audit record matches these filters.'
            : 'Nothing has been audited yet.'
        }
      />
      <PagerControls pages={pages} />
    </>
  );
}
