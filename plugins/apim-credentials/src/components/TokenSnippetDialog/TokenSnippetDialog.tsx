import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import { CodeSnippet } from '@backstage/core-components';
import type { TokenRequestParams } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { buildTokenCurl, CA_CERT_PLACEHOLDER } from './tokenSnippet';

/**
 * How to get a token for a provisioned client: straight from its key manager, since API-M's
 * Developer Portal cannot issue tokens for clients it did not create.
 */
export function TokenSnippetDialog(props: {
  keyManager: string;
  consumerKey: string;
  tokenEndpoint?: string;
  /** The environment's instance uses a private CA (`EnvironmentInfo.privateCa`). */
  privateCa?: boolean;
  /** Scope, audience... the key manager needs (`KeyManagerInfo.tokenRequest`). */
  tokenRequest?: TokenRequestParams;
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
          the client credentials grant. The command asks for the client's secret
          when it runs (Backstage never stores it).
        </Typography>
        {props.privateCa && (
          <Typography variant="body2" paragraph>
            This API-M instance uses a private certificate authority: replace{' '}
            <code>{CA_CERT_PLACEHOLDER}</code> with the path of its CA
            certificate (your platform team publishes it).
          </Typography>
        )}
        {props.tokenEndpoint ? (
          <CodeSnippet
            language="bash"
            showCopyCodeButton
            text={buildTokenCurl({
              tokenEndpoint: props.tokenEndpoint,
              consumerKey: props.consumerKey,
              privateCa: props.privateCa,
              tokenRequest: props.tokenRequest,
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
