import { useEffect, useRef, useState } from 'react';
import Alert from '@material-ui/lab/Alert';
import { useSearchParams } from 'react-router-dom';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import LinearProgress from '@material-ui/core/LinearProgress';
import { InfoCard, WarningPanel } from '@backstage/core-components';
import type {
  ApprovalRequest,
  CredentialMapping,
  EnvironmentCredentials,
  EnvironmentInfo,
  KeyManagerInfo,
  UnprovisionResult,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { PermissionGatedButton } from '../common';
import { ProvideKeysDialog, ProvideOutcome } from '../ProvideKeysDialog';
import { RemoveMappingDialog } from '../RemoveMappingDialog';
import { TokenSnippetDialog } from '../TokenSnippetDialog';
import { KeyManagerMappingRow } from './KeyManagerMappingRow';
import { requestKeysLabel } from '../ProvideKeysDialog/ApprovalNotice';
import { ApprovalRequestsList } from './ApprovalRequestsList';
import {
  applicationStatusNotice,
  CardResult,
  provideResult,
  rowsOf,
} from './cardParts';

type OpenDialog =
  | { kind: 'provide'; keyManager?: string; consumerKey?: string }
  | { kind: 'remove'; keyManager: KeyManagerInfo; mapping: CredentialMapping }
  | { kind: 'token'; keyManager: KeyManagerInfo; mapping: CredentialMapping };

/**
 * One environment of the entity: its application (and its approval status), per key manager
 * the mapped client, and the result of the last action taken here. `describedBy` names the
 * tab's read-only notice, which describes every button the user cannot use.
 */
export function EnvironmentCard(props: {
  entityRef: string;
  applicationName: string;
  environment: EnvironmentInfo;
  credentials?: EnvironmentCredentials;
  /** The credentials are still loading: the card shows its frame with a progress bar. */
  loading?: boolean;
  provisionDisabledReason?: string;
  describedBy?: string;
  /** The entity's approval requests in this environment (issue 14), newest first. */
  approvals?: ApprovalRequest[];
  onChanged: (message: string) => void;
}) {
  const { entityRef, environment, credentials, provisionDisabledReason } =
    props;
  const rows = rowsOf(environment, credentials);
  const offered = environment.keyManagers.filter(km => km.mappingAllowed);
  const firstFree = offered.find(
    km =>
      !credentials?.mappings.some(
        m => m.keyManager === km.name && m.state !== 'unmapped',
      ),
  );
  const unavailable = environment.error ?? credentials?.error;

  let provideDisabledReason = provisionDisabledReason;
  if (!provideDisabledReason && unavailable) {
    provideDisabledReason = `API-M cannot be reached for ${environment.title}`;
  } else if (!provideDisabledReason && offered.length === 0) {
    provideDisabledReason = `No key manager of ${environment.title} allows mapping existing clients`;
  }

  // `?provide=<env>&keyManager=..&consumerKey=..` opens the dialog pre-filled: the link the
  // `plan-provision` action hands out, for the person to enter the secret (issue 14 item 3).
  const [searchParams] = useSearchParams();
  const linked =
    searchParams.get('provide') === environment.id && !provideDisabledReason
      ? {
          keyManager: offered.find(
            km => km.name === searchParams.get('keyManager'),
          )?.name,
          consumerKey: searchParams.get('consumerKey') ?? undefined,
        }
      : undefined;
  const [dialog, setDialogState] = useState<OpenDialog | undefined>(() =>
    linked ? { kind: 'provide' } : undefined,
  );
  const [result, setResult] = useState<CardResult>();
  const cardRef = useRef<HTMLDivElement>(null);
  // After a removal the row's buttons go (once the refreshed rows arrive, after the dialog gave
  // focus back to them): the card takes the focus then, not the top of the page.
  const [focusCard, setFocusCard] = useState(false);
  const setDialog = (next: OpenDialog | undefined) => {
    if (next) setFocusCard(false);
    setDialogState(next);
  };
  useEffect(() => {
    if (!focusCard) return undefined;
    const timer = setTimeout(() => cardRef.current?.focus());
    return () => clearTimeout(timer);
  }, [focusCard, credentials]);
  const mappedClients = Object.fromEntries(
    (credentials?.mappings ?? [])
      .filter(m => m.state === 'mapped' && m.consumerKey)
      .map(m => [m.keyManager, m.consumerKey as string]),
  );
  const statusNotice = applicationStatusNotice(credentials?.application);

  const application = credentials?.application;
  const subheader = [
    `${environment.keyType} keys`,
    `instance ${environment.instance}`,
    application
      ? `application ${application.name}`
      : `application ${props.applicationName} (not created yet)`,
  ].join(' · ');

  const report = (next: CardResult) => {
    setResult(next);
    props.onChanged(next.message);
  };
  const onProvisioned = (provided: ProvideOutcome) => {
    setDialog(undefined);
    report(provideResult(environment, provided));
  };
  // In an environment that requires approval the card's button files a request (issue 14).
  const provideLabel = environment.approvalRequired
    ? requestKeysLabel(environment)
    : 'Provide existing OAuth keys';
  const onRemoved = (removed: UnprovisionResult) => {
    setDialog(undefined);
    report({
      severity: removed.warning ? 'warning' : 'success',
      message:
        removed.status === 'removed'
          ? `The mapping of ${
              removed.consumerKey ?? 'the client'
            } was removed from ${environment.title} (${removed.keyManager}).`
          : `Nothing was mapped in ${environment.title} (${removed.keyManager}); nothing changed.`,
      warning: removed.warning,
    });
    setFocusCard(true);
  };

  return (
    <InfoCard
      title={environment.title}
      subheader={subheader}
      action={
        <PermissionGatedButton
          variant="outlined"
          color="primary"
          onClick={() => setDialog({ kind: 'provide' })}
          disabledReason={provideDisabledReason}
          describedBy={provisionDisabledReason ? props.describedBy : undefined}
          aria-label={`${provideLabel} for ${environment.title}`}
        >
          {provideLabel}
        </PermissionGatedButton>
      }
    >
      <div
        data-testid={`environment-card-${environment.id}`}
        ref={cardRef}
        tabIndex={-1}
        aria-label={`${environment.title} credentials`}
        role="region"
        style={{ outline: 'none' }}
      >
        {result && (
          <Alert
            severity={result.severity}
            role="status"
            onClose={() => setResult(undefined)}
            style={{ marginBottom: 8 }}
          >
            {result.message}
            {result.warning && (
              <Typography variant="body2" data-testid="result-warning">
                {result.warning}
              </Typography>
            )}
          </Alert>
        )}
        {statusNotice && (
          <Alert
            severity={statusNotice.severity}
            role="note"
            data-testid="application-status"
            style={{ marginBottom: 8 }}
          >
            {statusNotice.message}
          </Alert>
        )}
        <ApprovalRequestsList
          environmentTitle={environment.title}
          requests={props.approvals}
          keyManagerTitle={name =>
            environment.keyManagers.find(km => km.name === name)?.displayName ||
            name
          }
          completeDisabledReason={provideDisabledReason}
          describedBy={provisionDisabledReason ? props.describedBy : undefined}
          onComplete={request =>
            setDialog({
              kind: 'provide',
              keyManager: request.keyManager,
              consumerKey: request.consumerKey,
            })
          }
        />
        {props.loading && !credentials && (
          <LinearProgress aria-label={`Loading ${environment.title}`} />
        )}
        {unavailable && (
          <WarningPanel
            severity="error"
            title={`API-M could not be read for ${environment.title}`}
            message={unavailable}
          />
        )}
        {/* Where API-M could not be read, the warning above says why there are no rows. */}
        {rows.length === 0 && !unavailable && !props.loading && (
          <Typography variant="body2" color="textSecondary">
            No key manager of this environment allows mapping existing clients
            {environment.keyManagers.length > 0
              ? ` (${environment.keyManagers
                  .map(km => `${km.name}: ${km.reason ?? 'not allowed'}`)
                  .join('; ')})`
              : ''}
            .
          </Typography>
        )}
        {rows.length > 0 && (
          <Table
            size="small"
            aria-label={`Key managers of ${environment.title}`}
          >
            <TableHead>
              <TableRow>
                <TableCell>Key manager</TableCell>
                <TableCell>State</TableCell>
                <TableCell>Consumer key</TableCell>
                <TableCell>keyMappingId</TableCell>
                <TableCell>Grant types</TableCell>
                <TableCell>Provisioned</TableCell>
                <TableCell align="right">Actions</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map(({ keyManager, mapping }) => (
                <KeyManagerMappingRow
                  key={keyManager.name}
                  environmentTitle={environment.title}
                  keyManager={keyManager}
                  mapping={mapping}
                  provisionDisabledReason={provisionDisabledReason}
                  describedBy={props.describedBy}
                  onProvide={() =>
                    setDialog({
                      kind: 'provide',
                      keyManager: keyManager.name,
                      consumerKey:
                        mapping.state === 'drifted'
                          ? mapping.consumerKey
                          : undefined,
                    })
                  }
                  onRemove={() =>
                    setDialog({ kind: 'remove', keyManager, mapping })
                  }
                  onGetToken={() =>
                    setDialog({ kind: 'token', keyManager, mapping })
                  }
                />
              ))}
            </TableBody>
          </Table>
        )}
      </div>
      {dialog?.kind === 'provide' && (
        <ProvideKeysDialog
          entityRef={entityRef}
          environment={environment}
          keyManagers={offered}
          initialKeyManager={
            dialog.keyManager ?? linked?.keyManager ?? firstFree?.name
          }
          initialConsumerKey={dialog.consumerKey ?? linked?.consumerKey}
          mappedClients={mappedClients}
          applicationName={application?.name ?? props.applicationName}
          applicationExists={credentials ? Boolean(application) : undefined}
          approvedRequests={props.approvals?.filter(
            r => r.state === 'approved',
          )}
          onClose={() => setDialog(undefined)}
          onProvisioned={onProvisioned}
          onPartialChange={message => report({ severity: 'warning', message })}
        />
      )}
      {dialog?.kind === 'remove' && (
        <RemoveMappingDialog
          entityRef={entityRef}
          environmentId={environment.id}
          environmentTitle={environment.title}
          keyManager={dialog.keyManager.name}
          keyManagerTitle={
            dialog.keyManager.displayName || dialog.keyManager.name
          }
          consumerKey={dialog.mapping.consumerKey}
          applicationName={application?.name}
          onClose={() => setDialog(undefined)}
          onRemoved={onRemoved}
        />
      )}
      {dialog?.kind === 'token' && dialog.mapping.consumerKey && (
        <TokenSnippetDialog
          environmentTitle={environment.title}
          grantTypes={dialog.mapping.grantTypes}
          keyManager={dialog.keyManager.displayName || dialog.keyManager.name}
          consumerKey={dialog.mapping.consumerKey}
          tokenEndpoint={dialog.keyManager.tokenEndpoint}
          privateCa={environment.privateCa}
          tokenRequest={dialog.keyManager.tokenRequest}
          entityRef={entityRef}
          environmentId={environment.id}
          onClose={() => setDialog(undefined)}
        />
      )}
    </InfoCard>
  );
}
