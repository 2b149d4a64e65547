import { useCallback, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import Box from '@material-ui/core/Box';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import { Progress } from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import { apimAuditReadPermission } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { PermissionDeniedState } from '../common/PermissionDeniedState';
import { ApprovalsTab } from './ApprovalsTab';
import { AuditLogTab } from './AuditLogTab';
import { BindingsTab } from './BindingsTab';
import { MappingsTab } from './MappingsTab';

const TABS = [
  { id: 'mappings', label: 'Mappings' },
  { id: 'audit', label: 'Audit log' },
  { id: 'bindings', label: 'Bindings' },
  { id: 'approvals', label: 'Approvals' },
] as const;
type TabId = (typeof TABS)[number]['id'];

function tabOf(value: string | null): TabId {
  return TABS.find(t => t.id === value)?.id ?? 'mappings';
}

/**
 * The platform view: all current mappings, the audit log, the application bindings and the
 * approval requests (`?tab=approvals`, where the approvers' notifications link), for
 * holders of `apim.audit.read`. The tab lives in the URL (`?tab=audit`), so Back and shared
 * links open it again (issue 15 item 5); each tab's label carries the number of rows it shows.
 * Every tab stays mounted, so the counts are there before a tab is opened.
 *
 * @public
 */
export function ApimCredentialsPlatformContent() {
  const permission = usePermission({ permission: apimAuditReadPermission });
  const [searchParams, setSearchParams] = useSearchParams();
  const tab = tabOf(searchParams.get('tab'));
  const [counts, setCounts] = useState<Partial<Record<TabId, string>>>({});
  const countOf = useCallback(
    (id: TabId) => (count: string) =>
      setCounts(c => (c[id] === count ? c : { ...c, [id]: count })),
    [],
  );
  const [onMappings] = useState(() => countOf('mappings'));
  const [onAudit] = useState(() => countOf('audit'));
  const [onBindings] = useState(() => countOf('bindings'));
  const [onApprovals] = useState(() => countOf('approvals'));

  if (permission.loading) return <Progress />;
  if (!permission.allowed) {
    return (
      <PermissionDeniedState
        title="You may not see the API-M credentials audit log"
        permission={apimAuditReadPermission.name}
      />
    );
  }
  const select = (value: TabId) => {
    const next = new URLSearchParams(searchParams);
    next.set('tab', value);
    setSearchParams(next);
  };
  return (
    <>
      <Tabs
        value={tab}
        onChange={(_, value: TabId) => select(value)}
        indicatorColor="primary"
        aria-label="API-M credentials views"
      >
        {TABS.map(t => (
          <Tab
            key={t.id}
            value={t.id}
            id={`apim-tab-${t.id}`}
            aria-controls={`apim-tabpanel-${t.id}`}
            label={
              <span>
                {t.label}
                {counts[t.id] !== undefined && ' '}
                {counts[t.id] !== undefined && (
                  <Box
                    component="span"
                    ml={0.5}
                    px={0.75}
                    borderRadius={8}
                    bgcolor="action.selected"
                  >
                    {counts[t.id]}
                  </Box>
                )}
              </span>
            }
          />
        ))}
      </Tabs>
      {TABS.map(t => (
        <Box
          key={t.id}
          id={`apim-tabpanel-${t.id}`}
          role="tabpanel"
          aria-labelledby={`apim-tab-${t.id}`}
          hidden={tab !== t.id}
          pt={2}
        >
          {t.id === 'mappings' && <MappingsTab onCount={onMappings} />}
          {t.id === 'audit' && <AuditLogTab onCount={onAudit} />}
          {t.id === 'bindings' && <BindingsTab onCount={onBindings} />}
          {t.id === 'approvals' && <ApprovalsTab onCount={onApprovals} />}
        </Box>
      ))}
    </>
  );
}
