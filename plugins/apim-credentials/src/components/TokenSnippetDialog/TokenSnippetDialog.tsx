import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import { CodeSnippet } from '@backstage/core-components';
import { buildTokenCurl, CONSUMER_SECRET_PLACEHOLDER } from './tokenSnippet';

/**
 * How to get a token for a provisioned client: straight from its key manager, since API-M's
 * Developer Portal cannot issue tokens for clients it did not create.
 */
export function TokenSnippetDialog(props: {
  keyManager: string;
  consumerKey: string;
  tokenEndpoint?: string;
  onClose: () => void;
}) {
  return (
    <Dialog
      open
      onClose={props.onClose}
      maxWidth="md"
      fullWidth
      aria-labelledby="apim-token-title"
    >
      <DialogTitle id="apim-token-title">
        Get a token from {props.keyManager}
      </DialogTitle>
      <DialogContent>
        <Typography variant="body2" paragraph>
          This client was provisioned from outside API-M, so the Developer
          Portal cannot issue tokens for it. Ask its key manager directly with
          the client credentials grant; replace{' '}
          <code>{CONSUMER_SECRET_PLACEHOLDER}</code> with the client's secret
          (Backstage never stores it).
        </Typography>
        {props.tokenEndpoint ? (
          <CodeSnippet
            language="bash"
            showCopyCodeButton
            text={buildTokenCurl({
              tokenEndpoint: props.tokenEndpoint,
              consumerKey: props.consumerKey,
            })}
          />
        ) : (
          <Typography variant="body2" color="error">
            API-M does not publish a token endpoint for the key manager{' '}
            {props.keyManager}; ask the key manager's operators for it.
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
