import { useState } from 'react';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  APIM_APPLICATION_ANNOTATION,
  apimCredentialsProvisionPermission,
  apimCredentialsReadPermission,
  checkApplicationName,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { apimCredentialsApiRef } from '../../api';
import { isApimCredentialsAvailable } from '../../conditions';
import { loadApimEnvironments } from '../../hooks/useApimEnvironments';
import { PermissionDeniedState } from '../common';
import { EnvironmentCard } from '../EnvironmentCard';
import { EntityAuditHistory } from '../EntityAuditHistory';

/**
 * The "API-M Credentials" entity tab: a card per environment with the mapped OAuth2 clients, and
 * the entity's audit history.
 *
 * @public
 */
export function ApimCredentialsEntityContent() {
  const { entity } = useEntity();
  const applicationName =
    entity.metadata.annotations?.[APIM_APPLICATION_ANNOTATION];
  // The rule that decides whether the tab is shown at all, so an app that shows it anyway (a
  // route without the `if`) says the same thing.
  if (!applicationName || !isApimCredentialsAvailable(entity)) {
    return (
      <MissingAnnotationEmptyState annotation={APIM_APPLICATION_ANNOTATION} />
    );
  }
  // The backend refuses such a name with this very message (checkApplicationName): say it here
  // instead of loading cards that could only show that error.
  const nameProblem = checkApplicationName(applicationName);
  if (nameProblem) {
    return (
      <WarningPanel
        severity="error"
        title="API-M will not accept this application name"
        message={nameProblem.message}
      />
    );
  }
  return (
    <EntityCredentialsView
      entityRef={stringifyEntityRef(entity)}
      applicationName={applicationName}
    />
  );
}

/** The tab for an entity that names its API-M application. */
export function EntityCredentialsView(props: {
  entityRef: string;
  applicationName: string;
}) {
  const { entityRef, applicationName } = props;
  const read = usePermission({
    permission: apimCredentialsReadPermission,
    resourceRef: entityRef,
  });
  const provision = usePermission({
    permission: apimCredentialsProvisionPermission,
    resourceRef: entityRef,
  });

  if (read.loading) return <Progress />;
  if (!read.allowed) {
    return (
      <PermissionDeniedState
        title="You may not see the API-M credentials of this entity"
        permission={apimCredentialsReadPermission.name}
      />
    );
  }

  let provisionDisabledReason: string | undefined;
  if (provision.loading) {
    provisionDisabledReason = 'Checking your permissions…';
  } else if (!provision.allowed) {
    provisionDisabledReason = `You may not provide or remove credentials for this entity: the permission policy does not grant you "${apimCredentialsProvisionPermission.name}".`;
  }

  return (
    <CredentialCards
      entityRef={entityRef}
      applicationName={applicationName}
      provisionDisabledReason={provisionDisabledReason}
      showReadOnlyNotice={!provision.loading && !provision.allowed}
    />
  );
}

function CredentialCards(props: {
  entityRef: string;
  applicationName: string;
  provisionDisabledReason?: string;
  showReadOnlyNotice: boolean;
}) {
  const { entityRef } = props;
  const api = useApi(apimCredentialsApiRef);
  const [status, setStatus] = useState<string>();
  const [refreshKey, setRefreshKey] = useState(0);

  const { value, loading, error, retry } = useAsyncRetry(async () => {
    const [environments, credentials] = await Promise.all([
      loadApimEnvironments(api),
      api.getEntityCredentials(entityRef),
    ]);
    return { environments, credentials };
  }, [api, entityRef]);

  // Keep showing the cards while they refresh after a change.
  if (!value && loading) return <Progress />;
  if (!value && error) {
    return (
      <ResponseErrorPanel
        title="The API-M credentials could not be loaded"
        error={error}
      />
    );
  }
  if (!value) return null;

  const onChanged = (message: string) => {
    setStatus(message);
    setRefreshKey(k => k + 1);
    retry();
  };

  return (
    <Grid container spacing={3}>
      {props.showReadOnlyNotice && (
        <Grid item xs={12}>
          <Typography
            variant="body2"
            color="textSecondary"
            data-testid="read-only-notice"
          >
            Read only: {props.provisionDisabledReason}
          </Typography>
        </Grid>
      )}
      {status && (
        <Grid item xs={12}>
          <Typography variant="body2" role="status">
            {status}
          </Typography>
        </Grid>
      )}
      {error && (
        <Grid item xs={12}>
          <ResponseErrorPanel
            title="The API-M credentials could not be refreshed"
            error={error}
          />
        </Grid>
      )}
      {value.environments.length === 0 ? (
        <Grid item xs={12}>
          <EmptyState
            missing="field"
            title="No API-M environments are configured"
            description="Add environments under apimCredentials.environments in app-config.yaml (each an id, a title, an instance and a key type) to provide credentials here."
          />
        </Grid>
      ) : (
        value.environments.map(environment => (
          <Grid item xs={12} key={environment.id}>
            <EnvironmentCard
              entityRef={entityRef}
              applicationName={
                value.credentials.applicationName || props.applicationName
              }
              environment={environment}
              credentials={value.credentials.environments.find(
                e => e.environment === environment.id,
              )}
              provisionDisabledReason={props.provisionDisabledReason}
              onChanged={onChanged}
            />
          </Grid>
        ))
      )}
      <Grid item xs={12}>
        <EntityAuditHistory entityRef={entityRef} refreshKey={refreshKey} />
      </Grid>
    </Grid>
  );
}
