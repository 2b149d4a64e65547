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

/** One key manager of one environment: what is mapped there, and what the user can do. */
export function KeyManagerMappingRow(props: {
  keyManager: KeyManagerInfo;
  mapping?: CredentialMapping;
  provisionDisabledReason?: string;
  onRemove: () => void;
  onGetToken: () => void;
}) {
  const { keyManager, mapping, provisionDisabledReason } = props;
  const state = mapping?.state ?? 'unmapped';
  const title = keyManager.displayName || keyManager.name;
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
          {mapping?.consumerKey && (
            <Button size="small" onClick={props.onGetToken}>
              Get a token
            </Button>
          )}
          {state !== 'unmapped' && (
            <PermissionGatedButton
              size="small"
              color="secondary"
              onClick={props.onRemove}
              disabledReason={provisionDisabledReason}
            >
              Remove
            </PermissionGatedButton>
          )}
        </Box>
      </TableCell>
    </TableRow>
  );
}
