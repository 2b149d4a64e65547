/**
 * The parts of an environment card that are not layout: its rows, the result of the last action
 * and what API-M's application status means.
 */
import type {
  CredentialMapping,
  EnvironmentCredentials,
  EnvironmentInfo,
  KeyManagerInfo,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { isProvisionRequested } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { ProvideOutcome } from '../ProvideKeysDialog';

/**
 * The rows of a card: the backend's own rows for this environment (GET .../credentials lists
 * every key manager offered for mapping plus every one that holds or is recorded with a client,
 * with its state), in its order. Each is joined with the key manager's description from
 * GET /environments for its title, reason and token endpoint; a key manager missing there (API-M
 * hides a disabled one) is shown by its name.
 */
export function rowsOf(
  environment: EnvironmentInfo,
  credentials?: EnvironmentCredentials,
): Array<{ keyManager: KeyManagerInfo; mapping: CredentialMapping }> {
  return (credentials?.mappings ?? []).map(mapping => ({
    keyManager: environment.keyManagers.find(
      km => km.name === mapping.keyManager,
    ) ?? {
      name: mapping.keyManager,
      displayName: mapping.keyManager,
      type: '',
      mappingAllowed: false,
    },
    mapping,
  }));
}

/** What the last action in this card did, shown where the person acted (issue 15 item 10). */
export interface CardResult {
  severity: 'success' | 'warning' | 'info';
  message: string;
  /** Something that still needs doing: a pending application, gateways not told (4.2). */
  warning?: string;
}

/** What API-M's approval workflow means for the mapped clients (CONTRACT.md 14.1, 14.2 item 2). */
export function applicationStatusNotice(
  application: EnvironmentCredentials['application'] | undefined,
): { severity: 'warning' | 'error'; message: string } | undefined {
  if (application?.status === 'CREATED') {
    return {
      severity: 'warning',
      message: `API-M application ${application.name} is pending approval: tokens will be refused until API-M approves the application.`,
    };
  }
  if (application?.status === 'REJECTED') {
    return {
      severity: 'error',
      message: `API-M rejected application ${application.name} in its approval workflow: its keys will never work. Ask the API-M administrators why, or name another application in the wso2.com/apim-application annotation.`,
    };
  }
  return undefined;
}

/**
 * What a provide did, for the card: mapped, unchanged, or (issue 14) the approval request filed.
 */
export function provideResult(
  environment: EnvironmentInfo,
  provided: ProvideOutcome,
): CardResult {
  if (isProvisionRequested(provided)) {
    const { request } = provided;
    const where = `${environment.title} (${request.keyManager})`;
    return {
      severity: 'info',
      message: `Approval request filed for client ${request.consumerKey} in ${where}: the credentials were verified and nothing is mapped yet. Once an approver approves it, complete it here by providing the client and its secret again.`,
    };
  }
  const where = `${environment.title} (${provided.keyManager})`;
  let message = `Client ${provided.consumerKey} was already mapped in ${where}; nothing changed.`;
  if (provided.status === 'created') {
    message = provided.replaced
      ? `Client ${provided.consumerKey} is now mapped in ${where}, replacing ${provided.replaced}.`
      : `Client ${provided.consumerKey} is now mapped in ${where}.`;
  }
  return {
    severity: provided.warning ? 'warning' : 'success',
    message,
    warning: provided.warning,
  };
}
