import { ClipboardEvent, FormEvent, useState } from 'react';
import Alert from '@material-ui/lab/Alert';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import LinearProgress from '@material-ui/core/LinearProgress';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/core-plugin-api';
import type {
  ApprovalRequest,
  EnvironmentInfo,
  KeyManagerInfo,
  ProvisionRequested,
  ProvisionResult,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { isProvisionRequested } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { apimCredentialsApiRef } from '../../api';
import { describeFailure, FailureAlert, FailureDescription } from '../common';
import { ProvideKeysErrors, validateProvideKeys } from './validation';
import {
  ProvideStep,
  ProvideStepError,
  provideOrReplace,
} from './provideSteps';
import { pasteTrimmed } from './pasteTrimmed';
import { SecretField } from './SecretField';
import {
  ApprovalNotice,
  approvalMode,
  requestKeysLabel,
} from './ApprovalNotice';

/**
 * What the dialog reports back: the result and the client it replaced, if any; or, in an
 * environment that requires approval, the request it filed (issue 14).
 */
export type ProvideOutcome =
  | (ProvisionResult & { replaced?: string })
  | ProvisionRequested;

/**
 * "Provide existing OAuth keys" (PRODUCT.md 7, issue 15 items 3, 4, 10, 12): maps an OAuth2
 * client that already exists in a key manager into the entity's API-M application for one
 * environment, or replaces the client mapped there (verify the new one, remove the old mapping,
 * map the new one). The consumer secret lives only in this dialog's state: kept for a retry
 * until the dialog closes, dropped at once when the key manager refused it. Where the
 * environment requires approval (issue 14) it files a request instead, and completes it (the
 * secret again) for a client in `approvedRequests`.
 */
export function ProvideKeysDialog(props: {
  entityRef: string;
  environment: EnvironmentInfo;
  keyManagers: KeyManagerInfo[];
  initialKeyManager?: string;
  /** Pre-filled from a link (the `plan-provision` action); never a secret. */
  initialConsumerKey?: string;
  /** Key manager name -> consumer key mapped there now: providing there replaces it. */
  mappedClients?: Record<string, string>;
  /** The entity's API-M application name. */
  applicationName?: string;
  /** False when API-M has no such application in this environment yet: providing creates it. */
  applicationExists?: boolean;
  /** The entity's approved requests in this environment: providing one of them maps it. */
  approvedRequests?: ApprovalRequest[];
  onClose: () => void;
  onProvisioned: (result: ProvideOutcome) => void;
  /** Something changed although the dialog stays open (a replace removed the old mapping). */
  onPartialChange?: (message: string) => void;
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
  const [failure, setFailure] = useState<{
    description: FailureDescription;
    outcome?: string;
  }>();
  const [step, setStep] = useState<ProvideStep>();
  // Once a replace removed the old mapping, a retry is a plain provide.
  const [removed, setRemoved] = useState<string[]>([]);

  const km = keyManagers.find(k => k.name === keyManager);
  const kmTitle = km?.displayName || keyManager;
  const approval = approvalMode(
    environment,
    props.approvedRequests,
    keyManager,
    consumerKey,
  );
  const requesting = approval.kind === 'request';
  const mappedNow = props.mappedClients?.[keyManager];
  // A request replaces nothing yet: the client mapped now stays until the approved one maps.
  const replacing =
    mappedNow && !removed.includes(mappedNow) && !requesting
      ? mappedNow
      : undefined;
  const appName = props.applicationName ?? "the entity's application";
  const submitting = step !== undefined;

  let mappingProgress = `Mapping into ${appName}…`;
  if (requesting) {
    mappingProgress = `Verifying with ${kmTitle} and filing the request…`;
  } else if (verifyFirst && !replacing) {
    mappingProgress = `Verifying with ${kmTitle} and mapping into ${appName}…`;
  }
  const progress: Record<ProvideStep, string> = {
    verifying: `Verifying with ${kmTitle}…`,
    removing: `Removing the mapping of ${replacing}…`,
    mapping: mappingProgress,
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const key = consumerKey.trim();
    const errors = validateProvideKeys({
      keyManager,
      consumerKey: key,
      consumerSecret,
    });
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) return;
    setConsumerKey(key);
    setFailure(undefined);
    setShowSecret(false);
    const where = `${environment.title} (${kmTitle})`;
    try {
      const result = await provideOrReplace(
        api,
        {
          entityRef,
          environment: environment.id,
          keyManager,
          consumerKey: key,
          consumerSecret,
          verify: verifyFirst,
          replacing,
          requestOnly: requesting,
        },
        setStep,
      );
      setConsumerSecret('');
      onProvisioned(
        replacing && replacing !== key && !isProvisionRequested(result)
          ? { ...result, replaced: replacing }
          : result,
      );
    } catch (error) {
      const stepError = error instanceof ProvideStepError ? error : undefined;
      const description = describeFailure(stepError?.failure ?? error, {
        keyManager: kmTitle,
        applicationName: props.applicationName,
        entityRef,
        verified: verifyFirst || requesting || stepError?.step === 'verifying',
      });
      let outcome: string | undefined;
      if (replacing && stepError?.oldRemoved) {
        outcome = `The mapping of ${replacing} was removed from ${where}, but mapping ${key} failed: nothing is mapped there now. ${replacing} still exists in its key manager.`;
        setRemoved(r => [...r, replacing]);
        props.onPartialChange?.(outcome);
      } else if (replacing) {
        outcome = `Nothing changed: ${replacing} is still mapped in ${where}.`;
      }
      setFailure({ description, outcome });
      // A refused secret is wrong: it goes. Anything else keeps it for a retry.
      if (description.authFailure) setConsumerSecret('');
      setStep(undefined);
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
          {requesting &&
            `${requestKeysLabel(environment)}: ${environment.title}`}
          {!requesting &&
            (replacing
              ? `Replace client ${replacing}: ${environment.title}`
              : `Provide existing OAuth keys: ${environment.title}`)}
        </DialogTitle>
        <DialogContent>
          <DialogContentText variant="body2">
            Maps an OAuth2 client that already exists in a key manager into this
            entity's API-M application as {environment.keyType} keys. Backstage
            sends the secret to API-M once and never stores or shows it.
          </DialogContentText>
          <ApprovalNotice
            mode={approval}
            environment={environment}
            keyManagerTitle={kmTitle}
          />
          {props.applicationExists === false && (
            <Alert
              severity="info"
              role="note"
              data-testid="creates-application"
            >
              API-M has no application {appName} in {environment.title} yet:
              providing creates it (bound to this entity) once the credentials
              are proven.
            </Alert>
          )}
          {replacing && (
            <Alert severity="warning" role="note" data-testid="replace-notice">
              Client {replacing} is mapped for {kmTitle} now. Providing replaces
              it: the new client is verified with {kmTitle} first, then the
              mapping of {replacing} is removed and the new client mapped.{' '}
              {replacing} itself stays in its key manager.
            </Alert>
          )}
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
            // eslint-disable-next-line jsx-a11y/no-autofocus -- a dialog focuses its first field when it opens (issue 15 item 10, WAI-ARIA dialog pattern); the user asked for it
            autoFocus
          >
            {keyManagers.map(k => (
              <MenuItem key={k.name} value={k.name}>
                {k.displayName || k.name}
                {props.mappedClients?.[k.name] &&
                !removed.includes(props.mappedClients[k.name])
                  ? ` (client ${props.mappedClients[k.name]} mapped: replace)`
                  : ''}
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
            onPaste={(e: ClipboardEvent<HTMLInputElement>) =>
              pasteTrimmed(e, consumerKey, setConsumerKey)
            }
            error={Boolean(fieldErrors.consumerKey)}
            helperText={
              fieldErrors.consumerKey ?? `The client id in ${kmTitle}`
            }
            inputProps={{ spellCheck: false, autoComplete: 'off' }}
            disabled={submitting}
            required
          />
          <SecretField
            value={consumerSecret}
            onChange={setConsumerSecret}
            shown={showSecret}
            onShownChange={setShowSecret}
            error={fieldErrors.consumerSecret}
            refused={failure?.description.authFailure}
            disabled={submitting}
          />
          {/* A request is always verified: approvers judge a client that works. */}
          <FormControlLabel
            style={requesting ? { display: 'none' } : undefined}
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
            <FailureAlert
              failure={failure.description}
              outcome={failure.outcome}
            />
          )}
          {step && (
            <div role="status" aria-live="polite">
              <Typography variant="body2">{progress[step]}</Typography>
              <LinearProgress aria-label={progress[step]} />
            </div>
          )}
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
            {requesting && 'Request approval'}
            {!requesting && (replacing ? 'Replace client' : 'Provide keys')}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
