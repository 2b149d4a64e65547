import { ClipboardEvent, useState } from 'react';
import IconButton from '@material-ui/core/IconButton';
import InputAdornment from '@material-ui/core/InputAdornment';
import TextField from '@material-ui/core/TextField';
import Visibility from '@material-ui/icons/Visibility';
import VisibilityOff from '@material-ui/icons/VisibilityOff';
import { pasteTrimmed } from './pasteTrimmed';

/**
 * The consumer secret field of the Provide dialog: hidden unless shown, spaces around a pasted
 * secret dropped (and said), a secret that starts or ends with a space pointed out.
 */
export function SecretField(props: {
  value: string;
  onChange: (value: string) => void;
  shown: boolean;
  onShownChange: (shown: boolean) => void;
  error?: string;
  /** The key manager refused the last secret: ask for it again. */
  refused?: boolean;
  disabled?: boolean;
}) {
  const { value, onChange, shown, disabled } = props;
  const [trimmedPaste, setTrimmedPaste] = useState(false);
  const padded = value !== value.trim() && value.trim() !== '';
  return (
    <TextField
      fullWidth
      margin="dense"
      id="apim-provide-consumer-secret"
      label="Consumer secret"
      type={shown ? 'text' : 'password'}
      value={value}
      onChange={e => {
        onChange(e.target.value);
        setTrimmedPaste(false);
      }}
      onPaste={(e: ClipboardEvent<HTMLInputElement>) =>
        setTrimmedPaste(pasteTrimmed(e, value, onChange))
      }
      error={Boolean(props.error)}
      helperText={
        props.error ||
        (padded
          ? 'The secret starts or ends with a space: secrets rarely do, check that it was copied without it'
          : undefined) ||
        (trimmedPaste
          ? 'Spaces around the pasted secret were removed'
          : undefined) ||
        (props.refused
          ? 'Enter the secret again to retry'
          : 'Sent once, never stored')
      }
      inputProps={{ spellCheck: false, autoComplete: 'new-password' }}
      disabled={disabled}
      required
      InputProps={{
        endAdornment: (
          <InputAdornment position="end">
            <IconButton
              aria-label={shown ? 'Hide secret' : 'Show secret'}
              onClick={() => props.onShownChange(!shown)}
              edge="end"
              size="small"
              disabled={disabled}
            >
              {shown ? <VisibilityOff /> : <Visibility />}
            </IconButton>
          </InputAdornment>
        ),
      }}
    />
  );
}
