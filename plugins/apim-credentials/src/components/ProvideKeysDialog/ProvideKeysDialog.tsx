import { FormEvent, useState } from 'react';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import IconButton from '@material-ui/core/IconButton';
import InputAdornment from '@material-ui/core/InputAdornment';
import LinearProgress from '@material-ui/core/LinearProgress';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Visibility from '@material-ui/icons/Visibility';
import VisibilityOff from '@material-ui/icons/VisibilityOff';
import { useApi } from '@backstage/core-plugin-api';
import type {
  EnvironmentInfo,
  KeyManagerInfo,
  ProvisionResult,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { apimCredentialsApiRef } from '../../api';
import { backendMessage, failureTitle } from '../common';
import { ProvideKeysErrors, validateProvideKeys } from './validation';

/**
 * "Provide existing OAuth keys": maps an OAuth2 client that already exists in a key manager into
 * the entity's API-M application for one environment. The consumer secret lives only in this
 * dialog's state and is cleared as soon as the request returns.
 */
export function ProvideKeysDialog(props: {
  entityRef: string;
  environment: EnvironmentInfo;
  keyManagers: KeyManagerInfo[];
  initialKeyManager?: string;
  /** Pre-filled from a link (the `plan-provision` action); never a secret. */
  initialConsumerKey?: string;
  onClose: () => void;
  onProvisioned: (result: ProvisionResult) => void;
}) {
  const { entityRef, environment, keyManagers, onClose, onProvisioned } = props;
  const api = useApi(apimCredentialsApiRef);
  const [keyManager, setKeyManager] = useState(
    props.initialKeyManager ?? keyManagers[0]?.name ?? '',
  );
  const [consumerKey, setConsumerKey] = useState(
    props.initialConsumerKey ?? '',
  );
  const [consumerSecret, setConsumerSecret] = useState('');
  const [showSecret, setShowSecret] = useState(false);
  const [verifyFirst, setVerifyFirst] = useState(true);
  const [fieldErrors, setFieldErrors] = useState<ProvideKeysErrors>({});
  const [failure, setFailure] = useState<{ title: string; message: string }>();
  const [submitting, setSubmitting] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const errors = validateProvideKeys({
      keyManager,
      consumerKey,
      consumerSecret,
    });
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) return;

    setSubmitting(true);
    setFailure(undefined);
    const secret = consumerSecret;
    // The secret leaves the form now: it is not kept for a retry, and never shown again.
    setConsumerSecret('');
    setShowSecret(false);
    try {
      const result = await api.provision(
        { entityRef, environment: environment.id, keyManager },
        {
          consumerKey: consumerKey.trim(),
          consumerSecret: secret,
          verify: verifyFirst,
        },
      );
      onProvisioned(result);
    } catch (error) {
      setFailure({
        title: failureTitle(error),
        message: backendMessage(error),
      });
      setSubmitting(false);
    }
  };

  return (
    <Dialog
      open
      onClose={submitting ? undefined : onClose}
      maxWidth="sm"
      fullWidth
      aria-labelledby="apim-provide-title"
    >
      <form onSubmit={submit} noValidate autoComplete="off">
        <DialogTitle id="apim-provide-title">
          Provide existing OAuth keys: {environment.title}
        </DialogTitle>
        <DialogContent>
          <DialogContentText variant="body2">
            Maps an OAuth2 client that already exists in a key manager into this
            entity's API-M application as {environment.keyType} keys. Backstage
            sends the secret to API-M once and never stores or shows it.
          </DialogContentText>
          <TextField
            select
            fullWidth
            margin="dense"
            id="apim-provide-key-manager"
            label="Key manager"
            value={keyManager}
            onChange={e => setKeyManager(e.target.value as string)}
            error={Boolean(fieldErrors.keyManager)}
            helperText={fieldErrors.keyManager ?? 'Where the client lives'}
            disabled={submitting}
          >
            {keyManagers.map(km => (
              <MenuItem key={km.name} value={km.name}>
                {km.displayName || km.name}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            fullWidth
            margin="dense"
            id="apim-provide-consumer-key"
            label="Consumer key"
            value={consumerKey}
            onChange={e => setConsumerKey(e.target.value)}
            error={Boolean(fieldErrors.consumerKey)}
            helperText={
              fieldErrors.consumerKey ?? 'The client id in the key manager'
            }
            inputProps={{ spellCheck: false, autoComplete: 'off' }}
            disabled={submitting}
            required
          />
          <TextField
            fullWidth
            margin="dense"
            id="apim-provide-consumer-secret"
            label="Consumer secret"
            type={showSecret ? 'text' : 'password'}
            value={consumerSecret}
            onChange={e => setConsumerSecret(e.target.value)}
            error={Boolean(fieldErrors.consumerSecret)}
            helperText={
              fieldErrors.consumerSecret ??
              (failure
                ? 'Enter the secret again to retry'
                : 'Sent once, never stored')
            }
            inputProps={{ spellCheck: false, autoComplete: 'new-password' }}
            disabled={submitting}
            required
            InputProps={{
              endAdornment: (
                <InputAdornment position="end">
                  <IconButton
                    aria-label={showSecret ? 'Hide secret' : 'Show secret'}
                    onClick={() => setShowSecret(shown => !shown)}
                    edge="end"
                    size="small"
                    disabled={submitting}
                  >
                    {showSecret ? <VisibilityOff /> : <Visibility />}
                  </IconButton>
                </InputAdornment>
              ),
            }}
          />
          <FormControlLabel
            control={
              <Checkbox
                checked={verifyFirst}
                onChange={e => setVerifyFirst(e.target.checked)}
                color="primary"
                disabled={submitting}
              />
            }
            label="Verify first: get a token with these credentials before mapping them"
          />
          {failure && (
            <div role="alert">
              <Typography variant="subtitle2" color="error">
                {failure.title}
              </Typography>
              <Typography variant="body2" color="error">
                {failure.message}
              </Typography>
            </div>
          )}
          {submitting && <LinearProgress aria-label="Provisioning" />}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={submitting}>
            Cancel
          </Button>
          <Button
            type="submit"
            color="primary"
            variant="contained"
            disabled={submitting}
          >
            Provide keys
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
