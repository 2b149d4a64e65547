import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import LinearProgress from '@material-ui/core/LinearProgress';
import { useApi } from '@backstage/core-plugin-api';
import type { UnprovisionResult } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { apimCredentialsApiRef } from '../../api';
import { describeFailure, FailureAlert, useDialogAction } from '../common';

/**
 * Confirms and removes one mapping (DELETE ?consumerKey=<the client shown>, so a client mapped
 * meanwhile stays); says what happens to the client (nothing). A drifted row's "Remove stale
 * record" uses it too: the backend then drops its record and tells API-M nothing.
 */
export function RemoveMappingDialog(props: {
  entityRef: string;
  environmentId: string;
  environmentTitle: string;
  keyManager: string;
  keyManagerTitle: string;
  consumerKey?: string;
  applicationName?: string;
  onClose: () => void;
  onRemoved: (result: UnprovisionResult) => void;
}) {
  const api = useApi(apimCredentialsApiRef);
  const {
    busy: submitting,
    failure,
    run,
  } = useDialogAction(error =>
    describeFailure(error, {
      keyManager: props.keyManagerTitle,
      applicationName: props.applicationName,
      entityRef: props.entityRef,
    }),
  );

  const remove = () =>
    run(async () => {
      const result = await api.unprovision({
        entityRef: props.entityRef,
        environment: props.environmentId,
        keyManager: props.keyManager,
        // The backend removes only this client; another one in the slot is a 409.
        consumerKey: props.consumerKey ?? '',
      });
      props.onRemoved(result);
    });

  const client = props.consumerKey
    ? `client ${props.consumerKey}`
    : 'the client';
  return (
    <Dialog
      open
      onClose={submitting ? undefined : props.onClose}
      maxWidth="sm"
      fullWidth
      aria-labelledby="apim-remove-title"
    >
      <DialogTitle id="apim-remove-title">
        Remove the {props.keyManagerTitle} keys from {props.environmentTitle}?
      </DialogTitle>
      <DialogContent>
        <DialogContentText>
          The mapping of {client} goes from the API-M application
          {props.applicationName ? ` ${props.applicationName}` : ''}: its tokens
          will no longer be accepted for the APIs the application subscribes to
          in {props.environmentTitle}.
        </DialogContentText>
        <DialogContentText>
          The client itself stays in its key manager ({props.keyManagerTitle});
          nothing is deleted there, and you can provide it again later.
        </DialogContentText>
        {failure && <FailureAlert failure={failure} />}
        {submitting && (
          <LinearProgress
            aria-label={`Removing the mapping from API-M application ${
              props.applicationName ?? ''
            }`.trim()}
          />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose} disabled={submitting}>
          Cancel
        </Button>
        <Button
          onClick={remove}
          color="secondary"
          variant="contained"
          disabled={submitting}
        >
          Remove mapping
        </Button>
      </DialogActions>
    </Dialog>
  );
}
