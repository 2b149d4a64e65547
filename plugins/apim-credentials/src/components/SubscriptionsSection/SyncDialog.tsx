/**
 * "Sync with catalog" (issue 16): the plan of the dry run, applied only when confirmed. Removing
 * subscriptions the catalog does not declare is a separate, explicit choice that re-plans.
 */
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Typography from '@material-ui/core/Typography';
import type { SubscriptionSyncItem } from '@apim-credentials/backstage-plugin-apim-credentials-common';

export function SyncDialog(props: {
  environment: string;
  plan: SubscriptionSyncItem[];
  removeUndeclared: boolean;
  busy: boolean;
  onRemoveUndeclared(value: boolean): void;
  onApply(): void;
  onClose(): void;
}) {
  const { plan, busy } = props;
  return (
    <Dialog open onClose={props.onClose} aria-labelledby="apim-sync-title">
      <DialogTitle id="apim-sync-title">
        Sync {props.environment} with the catalog
      </DialogTitle>
      <DialogContent>
        {plan.length ? (
          <ul>
            {plan.map(i => (
              <li key={`${i.action}-${i.apiId}`}>
                {i.action === 'subscribe' ? 'Subscribe to' : 'Unsubscribe from'}{' '}
                {i.name
                  ? `${i.name}${i.version ? ` ${i.version}` : ''}`
                  : i.apiRef ?? i.apiId}
              </li>
            ))}
          </ul>
        ) : (
          <Typography>
            Nothing to change: the subscriptions match consumesApis.
          </Typography>
        )}
        <FormControlLabel
          control={
            <Checkbox
              checked={props.removeUndeclared}
              disabled={busy}
              onChange={e => props.onRemoveUndeclared(e.target.checked)}
            />
          }
          label="Also unsubscribe from APIs the catalog does not declare"
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          disabled={!plan.length || busy}
          onClick={props.onApply}
        >
          Apply
        </Button>
      </DialogActions>
    </Dialog>
  );
}
