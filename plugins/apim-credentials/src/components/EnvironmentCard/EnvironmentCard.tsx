import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { InfoCard, WarningPanel } from '@backstage/core-components';
import type {
  CredentialMapping,
  EnvironmentCredentials,
  EnvironmentInfo,
  KeyManagerInfo,
  ProvisionResult,
  UnprovisionResult,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { PermissionGatedButton } from '../common';
import { ProvideKeysDialog } from '../ProvideKeysDialog';
import { RemoveMappingDialog } from '../RemoveMappingDialog';
import { TokenSnippetDialog } from '../TokenSnippetDialog';
import { KeyManagerMappingRow } from './KeyManagerMappingRow';

type OpenDialog =
  | { kind: 'provide' }
  | { kind: 'remove'; keyManager: KeyManagerInfo; mapping: CredentialMapping }
  | { kind: 'token'; keyManager: KeyManagerInfo; mapping: CredentialMapping };

/**
 * The rows of a card: the backend's own rows for this environment (GET .../credentials lists
 * every key manager offered for mapping plus every one that holds or is recorded with a client,
 * with its state), in its order. Each is joined with the key manager's description from
 * GET /environments for its title, reason and token endpoint; a key manager missing there (API-M
 * hides a disabled one) is shown by its name.
 */
function rowsOf(
  environment: EnvironmentInfo,
  credentials?: EnvironmentCredentials,
): Array<{ keyManager: KeyManagerInfo; mapping: CredentialMapping }> {
  return (credentials?.mappings ?? []).map(mapping => ({
    keyManager: environment.keyManagers.find(
      km => km.name === mapping.keyManager,
    ) ?? {
      name: mapping.keyManager,
      displayName: mapping.keyManager,
      type: '',
      mappingAllowed: false,
    },
    mapping,
  }));
}

/** One environment of the entity: its application, and per key manager the mapped client. */
export function EnvironmentCard(props: {
  entityRef: string;
  applicationName: string;
  environment: EnvironmentInfo;
  credentials?: EnvironmentCredentials;
  provisionDisabledReason?: string;
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
  const [dialog, setDialog] = useState<OpenDialog | undefined>(() =>
    linked ? { kind: 'provide' } : undefined,
  );

  const application = credentials?.application;
  const subheader = [
    `${environment.keyType} keys`,
    `instance ${environment.instance}`,
    application
      ? `application ${application.name}`
      : `application ${props.applicationName} (not created yet)`,
  ].join(' · ');

  const onProvisioned = (result: ProvisionResult) => {
    setDialog(undefined);
    props.onChanged(
      result.status === 'created'
        ? `Client ${result.consumerKey} is now mapped in ${environment.title} (${result.keyManager}).`
        : `Client ${result.consumerKey} was already mapped in ${environment.title} (${result.keyManager}); nothing changed.`,
    );
  };
  const onRemoved = (result: UnprovisionResult) => {
    setDialog(undefined);
    props.onChanged(
      result.status === 'removed'
        ? `The mapping of ${
            result.consumerKey ?? 'the client'
          } was removed from ${environment.title} (${result.keyManager}).`
        : `Nothing was mapped in ${environment.title} (${result.keyManager}); nothing changed.`,
    );
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
          aria-label={`Provide existing OAuth keys for ${environment.title}`}
        >
          Provide existing OAuth keys
        </PermissionGatedButton>
      }
    >
      <div data-testid={`environment-card-${environment.id}`}>
        {unavailable && (
          <WarningPanel
            severity="error"
            title={`API-M could not be read for ${environment.title}`}
            message={unavailable}
          />
        )}
        {/* Where API-M could not be read, the warning above says why there are no rows. */}
        {rows.length === 0 && !unavailable && (
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
                  keyManager={keyManager}
                  mapping={mapping}
                  provisionDisabledReason={provisionDisabledReason}
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
          initialKeyManager={linked?.keyManager ?? firstFree?.name}
          initialConsumerKey={linked?.consumerKey}
          onClose={() => setDialog(undefined)}
          onProvisioned={onProvisioned}
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
          keyManager={dialog.keyManager.displayName || dialog.keyManager.name}
          consumerKey={dialog.mapping.consumerKey}
          tokenEndpoint={dialog.keyManager.tokenEndpoint}
          privateCa={environment.privateCa}
          tokenRequest={dialog.keyManager.tokenRequest}
          onClose={() => setDialog(undefined)}
        />
      )}
    </InfoCard>
  );
}
