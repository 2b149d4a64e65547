import Chip from '@material-ui/core/Chip';
import type { AuditOutcome } from '@apim-credentials/backstage-plugin-apim-credentials-common';

const COLORS: Record<AuditOutcome, 'default' | 'primary' | 'secondary'> = {
  succeeded: 'primary',
  unchanged: 'default',
  pending: 'default',
  failed: 'secondary',
  denied: 'secondary',
};

export function OutcomeChip(props: { outcome: AuditOutcome }) {
  return (
    <Chip
      size="small"
      label={props.outcome}
      color={COLORS[props.outcome] ?? 'default'}
      variant={props.outcome === 'succeeded' ? 'default' : 'outlined'}
    />
  );
}
