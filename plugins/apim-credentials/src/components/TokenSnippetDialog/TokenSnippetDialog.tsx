import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import { CodeSnippet } from '@backstage/core-components';
import type { TokenRequestParams } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { buildTokenCurl, CA_CERT_PLACEHOLDER } from './tokenSnippet';
import { InvokeSnippets } from './InvokeSnippets';

const CLIENT_CREDENTIALS = 'client_credentials';

/**
 * How to get a token for a provisioned client and use it (issue 15 item 8): straight from its
 * key manager, since API-M's Developer Portal cannot issue tokens for clients it did not create,
 * then through the gateway. The client_credentials command is offered only when the client has
 * that grant (or its grants are unknown); the CA note appears for an instance with a private CA.
 */
export function TokenSnippetDialog(props: {
  environmentTitle: string;
  keyManager: string;
  consumerKey: string;
  tokenEndpoint?: string;
  /** The client's grant types as API-M lists them; undefined when unknown. */
  grantTypes?: string[];
  /** The environment's instance uses a private CA (`EnvironmentInfo.privateCa`). */
  privateCa?: boolean;
  /** Scope, audience... the key manager needs (`KeyManagerInfo.tokenRequest`). */
  tokenRequest?: TokenRequestParams;
  /** With the environment id: one call per API the entity's application subscribes to there. */
  entityRef?: string;
  environmentId?: string;
  onClose: () => void;
}) {
  const grants = props.grantTypes?.length ? props.grantTypes : undefined;
  const clientCredentials = !grants || grants.includes(CLIENT_CREDENTIALS);
  return (
    <Dialog
      open
      onClose={props.onClose}
      maxWidth="md"
      fullWidth
      aria-labelledby="apim-token-title"
    >
      <DialogTitle id="apim-token-title">
        {`Get a token for ${props.consumerKey} in ${props.environmentTitle} (${props.keyManager})`}
      </DialogTitle>
      <DialogContent>
        <Typography variant="body2" paragraph>
          This client was provisioned from outside API-M, so the Developer
          Portal cannot issue tokens for it: ask its key manager,{' '}
          {props.keyManager}, directly.
        </Typography>
        {props.privateCa && (
          <Typography variant="body2" paragraph>
            This API-M instance uses a private certificate authority: replace{' '}
            <code>{CA_CERT_PLACEHOLDER}</code> with the path of its CA
            certificate (your platform team publishes it).
          </Typography>
        )}
        {!props.tokenEndpoint && (
          <Typography variant="body2" color="error" paragraph>
            API-M does not publish a token endpoint for the key manager{' '}
            {props.keyManager}; ask the key manager's operators for it.
          </Typography>
        )}
        {props.tokenEndpoint && !clientCredentials && (
          <Typography
            variant="body2"
            paragraph
            data-testid="no-client-credentials"
          >
            This client does not have the client_credentials grant (its grant
            types: {grants?.join(', ')}), so a command cannot get a token on its
            own. Get one with one of its grants from{' '}
            <code>{props.tokenEndpoint}</code>, e.g. through your application's
            sign-in.
          </Typography>
        )}
        {props.tokenEndpoint && clientCredentials && (
          <>
            <Typography variant="subtitle2">
              1. Get a token with the client credentials grant (the command asks
              for the secret; Backstage never stores it)
            </Typography>
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
          </>
        )}
        <Typography variant="subtitle2" style={{ marginTop: 16 }}>
          {clientCredentials && props.tokenEndpoint ? '2. ' : ''}Call the APIs
          through the API-M gateway with the token
        </Typography>
        <InvokeSnippets
          entityRef={props.entityRef}
          environment={props.environmentId}
          privateCa={props.privateCa}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
