import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import type { MappingState } from '@apim-credentials/backstage-plugin-apim-credentials-common';

const COLORS: Record<MappingState, 'default' | 'primary' | 'secondary'> = {
  mapped: 'primary',
  unmapped: 'default',
  generated: 'default',
  drifted: 'secondary',
};

const DESCRIPTIONS: Record<MappingState, string> = {
  mapped: 'This client is mapped into the API-M application',
  unmapped: 'No client is mapped for this key manager and key type',
  generated:
    'API-M holds keys that were generated in API-M, not provided from outside',
  drifted:
    'Backstage recorded a mapping that API-M no longer holds, or holds with another client',
};

export function MappingStateChip(props: { state: MappingState }) {
  return (
    <Tooltip title={DESCRIPTIONS[props.state] ?? props.state}>
      <Chip
        size="small"
        label={props.state}
        color={COLORS[props.state] ?? 'default'}
        variant={props.state === 'unmapped' ? 'outlined' : 'default'}
      />
    </Tooltip>
  );
}
