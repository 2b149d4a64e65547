import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { CopyTextButton } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type {
  CredentialMapping,
  KeyManagerInfo,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { formatDateTime, PermissionGatedButton } from '../common';
import { MappingStateChip } from './MappingStateChip';

/**
 * One key manager of one environment: what is mapped there, and what the user can do. Every
 * button names its environment and key manager (a screen reader lists them out of their row);
 * a drifted row explains itself and offers the two ways out, and no token snippet, since its
 * client may not work (issue 15 items 10, 11).
 */
export function KeyManagerMappingRow(props: {
  environmentTitle: string;
  keyManager: KeyManagerInfo;
  mapping?: CredentialMapping;
  provisionDisabledReason?: string;
  /** Id of the notice that explains a read-only tab. */
  describedBy?: string;
  onRemove: () => void;
  onGetToken: () => void;
  /** Opens the provide dialog for this key manager (replace, or provide again). */
  onProvide: () => void;
}) {
  const { keyManager, mapping, provisionDisabledReason } = props;
  const state = mapping?.state ?? 'unmapped';
  const title = keyManager.displayName || keyManager.name;
  const where = `${title} in ${props.environmentTitle}`;
  const client = mapping?.consumerKey;
  // What the buttons that change the mapping share: disabled with the reason without the
  // provision permission, described by the card's read-only notice.
  const gated = {
    size: 'small' as const,
    disabledReason: provisionDisabledReason,
    describedBy: props.describedBy,
  };

  return (
    <TableRow data-testid={`mapping-row-${keyManager.name}`}>
      <TableCell>
        <Typography variant="body2">{title}</Typography>
        {title !== keyManager.name && (
          <Typography variant="caption" color="textSecondary">
            {keyManager.name}
          </Typography>
        )}
        {!keyManager.mappingAllowed && keyManager.reason && (
          <Typography variant="caption" color="textSecondary" display="block">
            {keyManager.reason}
          </Typography>
        )}
      </TableCell>
      <TableCell>
        <MappingStateChip state={state} />
        {state === 'drifted' && (
          <Typography
            variant="caption"
            color="error"
            display="block"
            data-testid="drift-reason"
          >
            Backstage recorded {client ? `client ${client}` : 'a client'} here,
            but API-M no longer holds that mapping (or holds another client):
            its tokens may be refused. Remove the stale record, or provide the
            client again.
          </Typography>
        )}
        {mapping?.keyManagerDisabled && (
          <Typography
            variant="caption"
            color="textSecondary"
            display="block"
            data-testid="key-manager-disabled"
          >
            key manager disabled in API-M: API-M keeps the mapping but hides it
            until the key manager is enabled again; it can still be removed
          </Typography>
        )}
      </TableCell>
      <TableCell>
        {mapping?.consumerKey ? (
          <Box display="flex" alignItems="center">
            <Typography
              variant="body2"
              style={{ fontFamily: 'monospace', wordBreak: 'break-all' }}
            >
              {mapping.consumerKey}
            </Typography>
            <CopyTextButton
              text={mapping.consumerKey}
              aria-label={`Copy consumer key ${mapping.consumerKey}`}
              tooltipText="Consumer key copied"
            />
          </Box>
        ) : (
          <Typography variant="body2" color="textSecondary">
            none
          </Typography>
        )}
      </TableCell>
      <TableCell>
        <Typography
          variant="body2"
          style={{ fontFamily: 'monospace', wordBreak: 'break-all' }}
        >
          {mapping?.keyMappingId ?? ''}
        </Typography>
      </TableCell>
      <TableCell>
        <Typography variant="body2">
          {mapping?.grantTypes?.join(', ') ?? ''}
        </Typography>
      </TableCell>
      <TableCell>
        {mapping?.provisionedBy && (
          <Typography variant="body2" component="div">
            <EntityRefLink
              entityRef={mapping.provisionedBy}
              defaultKind="user"
            />
          </Typography>
        )}
        {mapping?.provisionedAt && (
          <Typography variant="caption" color="textSecondary">
            {formatDateTime(mapping.provisionedAt)}
          </Typography>
        )}
      </TableCell>
      <TableCell align="right" style={{ whiteSpace: 'nowrap' }}>
        <Box display="flex" justifyContent="flex-end" style={{ gap: 4 }}>
          {client && state !== 'drifted' && (
            <Button
              size="small"
              onClick={props.onGetToken}
              aria-label={`Get a token for ${client} from ${where}`}
            >
              Get a token
            </Button>
          )}
          {state === 'mapped' && keyManager.mappingAllowed && (
            <PermissionGatedButton
              {...gated}
              onClick={props.onProvide}
              aria-label={`Replace client ${client ?? ''} of ${where}…`}
            >
              Replace client…
            </PermissionGatedButton>
          )}
          {state === 'drifted' && keyManager.mappingAllowed && (
            <PermissionGatedButton
              {...gated}
              color="primary"
              onClick={props.onProvide}
              aria-label={`Provide again for ${where}`}
            >
              Provide again
            </PermissionGatedButton>
          )}
          {state !== 'unmapped' && (
            <PermissionGatedButton
              {...gated}
              color="secondary"
              onClick={props.onRemove}
              aria-label={
                state === 'drifted'
                  ? `Remove stale record of ${where}`
                  : `Remove ${client ?? 'the keys'} from ${where}`
              }
            >
              {state === 'drifted' ? 'Remove stale record' : 'Remove'}
            </PermissionGatedButton>
          )}
        </Box>
      </TableCell>
    </TableRow>
  );
}
