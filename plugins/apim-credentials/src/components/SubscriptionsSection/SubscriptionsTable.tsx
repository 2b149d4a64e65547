/**
 * The one table of an environment's subscriptions (issue 16): every API the entity declares or
 * its application subscribes to, one row each, with its state (subscribed, missing, not in the
 * catalog, unresolved), tier, status and the row's action.
 */
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type { EnvironmentSubscriptions } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { PermissionGatedButton } from '../common/PermissionGatedButton';

type ChipColor = 'primary' | 'secondary' | 'default';

const STATUS_COLOR: Record<string, ChipColor> = {
  UNBLOCKED: 'primary',
  BLOCKED: 'secondary',
  PROD_ONLY_BLOCKED: 'secondary',
};

/** What a subscription status means for the client's tokens at the gateway (CONTRACT.md 11). */
const STATUS_HINT: Record<string, string> = {
  UNBLOCKED: 'tokens are accepted',
  ON_HOLD: 'waits for approval in API-M; tokens are refused until then',
  BLOCKED: 'blocked by the API publisher; tokens are refused',
  PROD_ONLY_BLOCKED:
    'production keys blocked by the publisher; sandbox keys work',
};

/** One row: an API in one of the four lists of the environment. */
interface Row {
  key: string;
  apiRef?: string;
  label: string;
  state: { label: string; color: ChipColor };
  tier?: string;
  status?: string;
  /** Unresolved APIs: why, in place of tier and status. */
  detail?: string;
  action?: 'subscribe' | 'unsubscribe';
}

function rowsOf(data: EnvironmentSubscriptions): Row[] {
  const label = (a: { name?: string; version?: string; apiId?: string }) =>
    a.name ? `${a.name}${a.version ? ` ${a.version}` : ''}` : a.apiId ?? '';
  return [
    ...data.subscribed.map(s => ({
      key: `s-${s.subscriptionId}`,
      apiRef: s.apiRef,
      label: label(s),
      state: { label: 'subscribed', color: 'primary' as const },
      tier: s.tier,
      status: s.status,
      action: 'unsubscribe' as const,
    })),
    ...data.missing.map(m => ({
      key: `m-${m.apiRef ?? m.apiId}`,
      apiRef: m.apiRef,
      label: label(m),
      state: { label: 'missing', color: 'default' as const },
      tier: m.tiers?.join(', '),
      action: 'subscribe' as const,
    })),
    // No entity names an undeclared API: "Sync with catalog" removes it when asked.
    ...data.undeclared.map(u => ({
      key: `u-${u.subscriptionId}`,
      label: label(u),
      state: { label: 'not in catalog', color: 'secondary' as const },
      tier: u.tier,
      status: u.status,
    })),
    ...data.unresolved.map(u => ({
      key: `x-${u.apiRef}`,
      apiRef: u.apiRef,
      label: u.apiRef,
      state: { label: 'unresolved', color: 'secondary' as const },
      detail: u.message,
    })),
  ];
}

export function SubscriptionsTable(props: {
  data: EnvironmentSubscriptions;
  busy: boolean;
  /** Why the buttons are disabled; undefined when they are not. */
  disabledReason?: string;
  onAction(action: 'subscribe' | 'unsubscribe', apiRef: string): void;
}) {
  const { data, busy, disabledReason, onAction } = props;
  return (
    <Table size="small">
      <TableHead>
        <TableRow>
          <TableCell>API</TableCell>
          <TableCell>State</TableCell>
          <TableCell>Tier</TableCell>
          <TableCell>Status</TableCell>
          <TableCell />
        </TableRow>
      </TableHead>
      <TableBody>
        {rowsOf(data).map(row => (
          <TableRow key={row.key}>
            <TableCell>
              {row.apiRef ? (
                <EntityRefLink entityRef={row.apiRef} title={row.label} />
              ) : (
                row.label
              )}
            </TableCell>
            <TableCell>
              <Chip
                size="small"
                label={row.state.label}
                color={row.state.color}
              />
            </TableCell>
            {row.detail ? (
              <TableCell colSpan={3}>{row.detail}</TableCell>
            ) : (
              <>
                <TableCell>{row.tier}</TableCell>
                <TableCell title={row.status && STATUS_HINT[row.status]}>
                  {row.status && (
                    <Chip
                      size="small"
                      label={row.status}
                      color={STATUS_COLOR[row.status] ?? 'default'}
                    />
                  )}
                </TableCell>
                <TableCell>
                  {row.action && row.apiRef && (
                    <PermissionGatedButton
                      size="small"
                      disabled={busy}
                      disabledReason={disabledReason}
                      aria-label={`${
                        row.action === 'subscribe'
                          ? 'Subscribe to'
                          : 'Unsubscribe from'
                      } ${row.label}`}
                      onClick={() => onAction(row.action!, row.apiRef!)}
                    >
                      {row.action === 'subscribe' ? 'Subscribe' : 'Unsubscribe'}
                    </PermissionGatedButton>
                  )}
                </TableCell>
              </>
            )}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
