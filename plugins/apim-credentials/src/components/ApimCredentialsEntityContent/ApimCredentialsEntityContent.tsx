import { useState } from 'react';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  CompoundEntityRef,
  Entity,
  parseEntityRef,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import {
  EntityRefLinks,
  getEntityRelations,
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
import { SubscriptionsSection } from '../SubscriptionsSection';

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
      entity={entity}
    />
  );
}

/** Id of the read-only notice; every button the user cannot use is described by it. */
const READ_ONLY_NOTICE_ID = 'apim-read-only-notice';

/**
 * The tab for an entity that names its API-M application. The reads start at once, beside the
 * permission checks (the backend enforces read permission on its own), and the cards show
 * their frames while the credentials load (issue 15 item 10).
 */
export function EntityCredentialsView(props: {
  entityRef: string;
  applicationName: string;
  /** The entity itself, to name its owners in the read-only notice. */
  entity?: Entity;
}) {
  const { entityRef, applicationName } = props;
  const api = useApi(apimCredentialsApiRef);
  const read = usePermission({
    permission: apimCredentialsReadPermission,
    resourceRef: entityRef,
  });
  const provision = usePermission({
    permission: apimCredentialsProvisionPermission,
    resourceRef: entityRef,
  });
  // refreshKey: the audit history reads again after any change on the tab; credentialsChanges:
  // the subscriptions too after a credentials change (providing may create the application).
  const [refreshKey, setRefreshKey] = useState(0);
  const [credentialsChanges, setCredentialsChanges] = useState(0);
  const environments = useAsyncRetry(() => loadApimEnvironments(api), [api]);
  const credentials = useAsyncRetry(
    () => api.getEntityCredentials(entityRef),
    [api, entityRef],
  );
  // The entity's approval requests, where an environment requires approval (issue 14). A
  // failure leaves the cards without them: providing still works and files or completes one.
  const needsApprovals = Boolean(
    environments.value?.some(e => e.approvalRequired),
  );
  const approvals = useAsyncRetry(
    async () =>
      needsApprovals
        ? (await api.listApprovals({ entityRef })).items
        : undefined,
    [api, entityRef, needsApprovals],
  );

  if (!read.loading && !read.allowed) {
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
    provisionDisabledReason = `${ownersSentence(
      props.entity,
    )} The permission policy does not grant you "${
      apimCredentialsProvisionPermission.name
    }" on this entity.`;
  }
  const readOnly = !provision.loading && !provision.allowed;

  if (!environments.value && environments.loading) return <Progress />;
  const loadError = environments.error ?? credentials.error;
  if (!environments.value || (!credentials.value && credentials.error)) {
    return (
      <ResponseErrorPanel
        title="The API-M credentials could not be loaded"
        error={loadError ?? new Error('No environments')}
      />
    );
  }

  const onChanged = () => {
    setRefreshKey(k => k + 1);
    setCredentialsChanges(k => k + 1);
    credentials.retry();
    if (needsApprovals) approvals.retry();
  };
  const entityCredentials = credentials.value;

  return (
    <Grid container spacing={3}>
      {readOnly && (
        <Grid item xs={12}>
          <Alert
            severity="info"
            role="note"
            id={READ_ONLY_NOTICE_ID}
            data-testid="read-only-notice"
          >
            <ReadOnlyNotice entity={props.entity} />
          </Alert>
        </Grid>
      )}
      {credentials.error && entityCredentials && (
        <Grid item xs={12}>
          <ResponseErrorPanel
            title="The API-M credentials could not be refreshed"
            error={credentials.error}
          />
        </Grid>
      )}
      {environments.value.length === 0 ? (
        <Grid item xs={12}>
          <EmptyState
            missing="field"
            title="No API-M environments are configured"
            description="Add environments under apimCredentials.environments in app-config.yaml (each an id, a title, an instance and a key type) to provide credentials here."
          />
        </Grid>
      ) : (
        environments.value.map(environment => (
          <Grid item xs={12} key={environment.id}>
            <EnvironmentCard
              entityRef={entityRef}
              applicationName={
                entityCredentials?.applicationName || applicationName
              }
              environment={environment}
              credentials={entityCredentials?.environments.find(
                e => e.environment === environment.id,
              )}
              loading={!entityCredentials}
              provisionDisabledReason={
                entityCredentials
                  ? provisionDisabledReason
                  : provisionDisabledReason ?? 'Loading the credentials…'
              }
              describedBy={readOnly ? READ_ONLY_NOTICE_ID : undefined}
              approvals={approvals.value?.filter(
                r => r.environment === environment.id,
              )}
              onChanged={onChanged}
            />
          </Grid>
        ))
      )}
      <Grid item xs={12}>
        <SubscriptionsSection
          refreshKey={credentialsChanges}
          onChanged={() => setRefreshKey(k => k + 1)}
        />
      </Grid>
      <Grid item xs={12}>
        <EntityAuditHistory entityRef={entityRef} refreshKey={refreshKey} />
      </Grid>
    </Grid>
  );
}

function entityName(entity?: Entity): string {
  return entity?.metadata.title ?? entity?.metadata.name ?? 'this entity';
}

/** The entity's owners: the catalog's ownedBy relations, else its spec.owner. */
function ownersOf(entity?: Entity): CompoundEntityRef[] {
  if (!entity) return [];
  const owners = getEntityRelations(entity, RELATION_OWNED_BY);
  const declared = entity.spec?.owner;
  if (owners.length > 0 || typeof declared !== 'string') return owners;
  try {
    return [
      parseEntityRef(declared, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    ];
  } catch {
    return [];
  }
}

/** "Only the owners of payments-service (team-payments) can provide or remove keys." as text. */
function ownersSentence(entity?: Entity): string {
  const owners = ownersOf(entity);
  const names = owners.map(o => o.name).join(', ');
  return `Only the owners of ${entityName(entity)}${
    names ? ` (${names})` : ''
  } can provide or remove keys.`;
}

/**
 * Read-only explained to people rather than policy authors (issue 15 item 9): who may act,
 * linked, and where the rule comes from.
 */
function ReadOnlyNotice(props: { entity?: Entity }) {
  const owners = ownersOf(props.entity);
  return (
    <>
      <Typography variant="body2">
        Only the owners of {entityName(props.entity)}
        {owners.length > 0 && (
          <>
            {' ('}
            <EntityRefLinks entityRefs={owners} defaultKind="group" />)
          </>
        )}{' '}
        can provide or remove keys.
      </Typography>
      <Typography variant="caption" color="textSecondary">
        The permission policy does not grant you &quot;
        {apimCredentialsProvisionPermission.name}&quot; on this entity; ask an
        owner, or the platform team, to act for you.
      </Typography>
    </>
  );
}
