import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import { Progress } from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import { apimAuditReadPermission } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { PermissionDeniedState } from '../common';
import { AuditLogTab } from './AuditLogTab';
import { MappingsTab } from './MappingsTab';

type TabId = 'mappings' | 'audit';

/**
 * The platform view: all current mappings and the audit log, for holders of
 * `apim.audit.read`. Rendered inside the app's page frame.
 *
 * @public
 */
export function ApimCredentialsPlatformContent() {
  const permission = usePermission({ permission: apimAuditReadPermission });
  const [tab, setTab] = useState<TabId>('mappings');

  if (permission.loading) return <Progress />;
  if (!permission.allowed) {
    return (
      <PermissionDeniedState
        title="You may not see the API-M credentials audit log"
        permission={apimAuditReadPermission.name}
      />
    );
  }
  return (
    <>
      <Tabs
        value={tab}
        onChange={(_, value: TabId) => setTab(value)}
        indicatorColor="primary"
        aria-label="API-M credentials views"
      >
        <Tab
          value="mappings"
          label="Mappings"
          id="apim-tab-mappings"
          aria-controls="apim-tabpanel"
        />
        <Tab
          value="audit"
          label="Audit log"
          id="apim-tab-audit"
          aria-controls="apim-tabpanel"
        />
      </Tabs>
      <Box
        id="apim-tabpanel"
        role="tabpanel"
        aria-labelledby={`apim-tab-${tab}`}
        pt={2}
      >
        {tab === 'mappings' ? <MappingsTab /> : <AuditLogTab />}
      </Box>
    </>
  );
}
