import Typography from '@material-ui/core/Typography';
import type {
  EntityCredentials,
  EnvironmentInfo,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { backendMessage } from '../common/errors';

const STATE_WORDS: Record<string, string> = {
  mapped: 'mapped',
  generated: 'keys generated in API-M',
  drifted: 'drifted: Backstage recorded a client API-M no longer holds',
};

/**
 * What one environment already holds for the chosen component (issue 15 item 2: "the form shows
 * what is already mapped"), so nobody types a client only to meet a 409 at the end of the task.
 * With a key manager chosen, says what providing into its slot will do. Renders nothing until a
 * component is chosen.
 */
export function AlreadyMapped(props: {
  environment: string;
  keyManager: string;
  environments: EnvironmentInfo[] | undefined;
  credentials: EntityCredentials | undefined;
  loading: boolean;
  error: Error | undefined;
}) {
  const { environment, keyManager, environments, credentials } = props;
  const line = (text: string, role?: string) => (
    <Typography variant="body2" color="textSecondary" role={role}>
      {text}
    </Typography>
  );
  if (props.loading) return line('Checking what is mapped for the component…');
  if (props.error) {
    return line(
      `Could not read what is mapped for the component: ${backendMessage(
        props.error,
      )}`,
      'alert',
    );
  }
  if (!credentials) return null;
  const env = credentials.environments.find(e => e.environment === environment);
  if (!env) return null;
  if (env.error) return line(`API-M could not be read here: ${env.error}`);
  const kmTitle = (name: string) =>
    environments
      ?.find(e => e.id === environment)
      ?.keyManagers.find(k => k.name === name)?.displayName ?? name;
  const taken = env.mappings.filter(m => m.state !== 'unmapped');
  const application = env.application
    ? `API-M application ${env.application.name}`
    : `No API-M application for ${credentials.entityRef} here yet: providing creates ${credentials.applicationName} (unless the backend is configured not to)`;
  const inSlot = taken.find(m => m.keyManager === keyManager);
  return (
    <>
      {line(application)}
      {taken.length === 0
        ? line('Nothing is mapped here yet.')
        : line(
            `Already mapped: ${taken
              .map(
                m =>
                  `${kmTitle(m.keyManager)}: ${
                    m.consumerKey ? `client ${m.consumerKey}, ` : ''
                  }${STATE_WORDS[m.state] ?? m.state}`,
              )
              .join('; ')}.`,
          )}
      {inSlot &&
        line(
          inSlot.state === 'mapped' && inSlot.consumerKey
            ? `${kmTitle(keyManager)} already holds client ${
                inSlot.consumerKey
              } here: the same key leaves it as it is; another key is refused until the mapping is removed (or replaced on the component's API-M Credentials tab).`
            : `${kmTitle(keyManager)} is taken here (${
                STATE_WORDS[inSlot.state] ?? inSlot.state
              }): providing will be refused until it is cleared on the component's API-M Credentials tab.`,
          'status',
        )}
    </>
  );
}
