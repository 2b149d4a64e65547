import { ReactNode } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { backendMessage } from '../common/errors';
import { useDialogAction } from '../common/useDialogAction';

/**
 * Asks before an audited change and runs it; a refusal stays in the dialog with the backend's
 * message (never a stack), so the person can read it and cancel.
 */
export function ConfirmDialog(props: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const { busy, failure: error, run } = useDialogAction(backendMessage);
  const confirm = () => run(props.onConfirm);
  return (
    <Dialog
      open
      onClose={busy ? undefined : props.onClose}
      aria-labelledby="apim-confirm-title"
    >
      <DialogTitle id="apim-confirm-title">{props.title}</DialogTitle>
      <DialogContent>
        {props.children}
        {error && (
          <Typography variant="body2" color="error" role="alert">
            {error}
          </Typography>
        )}
      </DialogContent>
      {busy && <LinearProgress />}
      <DialogActions>
        <Button onClick={props.onClose} disabled={busy}>
          Cancel
        </Button>
        <Button
          color="primary"
          variant="contained"
          onClick={confirm}
          disabled={busy}
        >
          {props.confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
