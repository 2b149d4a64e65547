import { FormEvent, useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import GetAppIcon from '@material-ui/icons/GetApp';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseErrorPanel } from '@backstage/core-components';
import {
  AUDIT_ACTIONS,
  AUDIT_OUTCOMES,
  AuditQuery,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { apimCredentialsApiRef } from '../../api';
import { AuditTable } from '../AuditTable';
import {
  backendMessage,
  localInputToIso,
  PagerControls,
  useKeysetPages,
} from '../common';
import { auditExportFilename, downloadBlob } from './downloadBlob';
import { compact, normaliseEntityRef } from './filters';
import { SelectFilter } from './SelectFilter';
import { useEnvironmentOptions } from './useEnvironmentOptions';

const PAGE_SIZE = 50;
type Filters = Omit<AuditQuery, 'limit' | 'cursor'>;

/** The organisation's audit log: filters, keyset pages and the CSV export of the same filters. */
export function AuditLogTab() {
  const api = useApi(apimCredentialsApiRef);
  const options = useEnvironmentOptions();
  const [draft, setDraft] = useState({
    entityRef: '',
    environment: '',
    actor: '',
    action: '',
    outcome: '',
    since: '',
    until: '',
  });
  const [applied, setApplied] = useState<Filters>({});
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string>();

  const pages = useKeysetPages(
    cursor => api.getAudit({ ...applied, limit: PAGE_SIZE, cursor }),
    JSON.stringify(applied),
  );

  const set = (field: keyof typeof draft) => (value: string) =>
    setDraft(d => ({ ...d, [field]: value }));

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setApplied(
      compact({
        entityRef: normaliseEntityRef(draft.entityRef, 'component'),
        environment: draft.environment,
        actor: normaliseEntityRef(draft.actor, 'user'),
        action: draft.action as Filters['action'],
        outcome: draft.outcome as Filters['outcome'],
        since: localInputToIso(draft.since),
        until: localInputToIso(draft.until),
      }),
    );
  };

  const exportCsv = async () => {
    setExporting(true);
    setExportError(undefined);
    try {
      downloadBlob(await api.exportAuditCsv(applied), auditExportFilename());
    } catch (error) {
      setExportError(backendMessage(error));
    } finally {
      setExporting(false);
    }
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
        aria-label="Audit filters"
      >
        <TextField
          id="audit-entity"
          label="Entity"
          placeholder="component:default/orders-service"
          value={draft.entityRef}
          onChange={e => set('entityRef')(e.target.value)}
          size="small"
          variant="outlined"
        />
        <SelectFilter
          id="audit-environment"
          label="Environment"
          value={draft.environment}
          options={options.environments.map(e => ({
            value: e.id,
            label: e.title,
          }))}
          onChange={set('environment')}
        />
        <TextField
          id="audit-actor"
          label="Actor"
          placeholder="user:default/jane"
          value={draft.actor}
          onChange={e => set('actor')(e.target.value)}
          size="small"
          variant="outlined"
        />
        <SelectFilter
          id="audit-action"
          label="Action"
          value={draft.action}
          options={AUDIT_ACTIONS.map(a => ({ value: a, label: a }))}
          onChange={set('action')}
        />
        <SelectFilter
          id="audit-outcome"
          label="Outcome"
          value={draft.outcome}
          options={AUDIT_OUTCOMES.map(o => ({ value: o, label: o }))}
          onChange={set('outcome')}
        />
        <TextField
          id="audit-since"
          label="Since"
          type="datetime-local"
          value={draft.since}
          onChange={e => set('since')(e.target.value)}
          size="small"
          variant="outlined"
          InputLabelProps={{ shrink: true }}
        />
        <TextField
          id="audit-until"
          label="Until"
          type="datetime-local"
          value={draft.until}
          onChange={e => set('until')(e.target.value)}
          size="small"
          variant="outlined"
          InputLabelProps={{ shrink: true }}
        />
        <Button type="submit" variant="outlined" color="primary">
          Apply filters
        </Button>
        <Button
          variant="contained"
          color="primary"
          startIcon={<GetAppIcon />}
          onClick={exportCsv}
          disabled={exporting}
        >
          {exporting ? 'Exporting…' : 'Export CSV'}
        </Button>
      </Box>
      {exportError && (
        <Typography variant="body2" color="error" role="alert" paragraph>
          The CSV export failed: {exportError}
        </Typography>
      )}
      {pages.error ? (
        <ResponseErrorPanel
          title="The audit log could not be loaded"
          error={pages.error}
        />
      ) : (
        <AuditTable
          title="Audit log"
          showEntity
          records={pages.items ?? []}
          isLoading={pages.loading}
          emptyMessage={
            Object.keys(applied).length
              ? 'No audit record matches these filters.'
              : 'Nothing has been audited yet.'
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
