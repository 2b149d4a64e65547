import { useCallback, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import Box from '@material-ui/core/Box';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import { Progress } from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  apimAuditReadPermission,
  apimCredentialsApprovePermission,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
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

/**
 * The tabs a viewer may see, as the backend decides: holders of `apim.audit.read` see all of
 * them; an approver (`apim.credentials.approve`) without it sees the Approvals tab only, whose
 * list the backend grants to either permission.
 */
function visibleTabs(auditRead: boolean, approve: boolean) {
  return TABS.filter(t => auditRead || (approve && t.id === 'approvals'));
}

/**
 * The platform view: all current mappings, the audit log, the application bindings and the
 * approval requests (`?tab=approvals`, where the approvers' notifications link), for
 * holders of `apim.audit.read`; approvers without it get the Approvals tab alone. The tab lives in the URL (`?tab=audit`), so Back and shared
 * links open it again (issue 15 item 5); each tab's label carries the number of rows it shows.
 * Every tab stays mounted, so the counts are there before a tab is opened.
 *
 * @public
 */
export function ApimCredentialsPlatformContent() {
  const auditRead = usePermission({ permission: apimAuditReadPermission });
  const approve = usePermission({
    permission: apimCredentialsApprovePermission,
  });
  const [searchParams, setSearchParams] = useSearchParams();
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

  if (auditRead.loading || approve.loading) return <Progress />;
  const tabs = visibleTabs(auditRead.allowed, approve.allowed);
  if (!tabs.length) {
    return (
      <PermissionDeniedState
        title="You may not see the API-M credentials audit log"
        permission={apimAuditReadPermission.name}
      />
    );
  }
  const tab =
    tabs.find(t => t.id === searchParams.get('tab'))?.id ?? tabs[0].id;
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
        {tabs.map(t => (
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
      {tabs.map(t => (
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
