import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ApimCredentialsActionOptions, connectForTask } from './backendClient';
import { checkpointKey, describeCell } from './cell';
import { resolveClients, oneClientPerKeyType } from './clients';
import { forEachEnvironment } from './environmentLoop';
import { toError } from './failures';
import { checkKeyManager, normaliseEntityRef } from './inputs';
import {
  checkEveryEnvironment,
  fetchEnvironments,
  preflight,
} from './preflight';
import { provisionExamples } from './provision.examples';
import { registerSensitive } from './secret';
import {
  logProvisionResult,
  ProvisionCheckpoint,
  provisionOutputs,
} from './provisionResults';
import { beginStep, dryRunWaitMessage } from './waitForEntity';
import { entityRefInput, waitForEntityInput } from './inputSchemas';
import {
  approvalsOutput,
  dryRunOutcome,
  EnvironmentOutcome,
  isApprovalOutcome,
  logApprovalOutcome,
  mappingOrPending,
  settleApproval,
} from './approvalRequests';

/**
 * The id templates use for this action (`steps[].action`).
 *
 * @public
 */
export const PROVISION_ACTION_ID = 'apim:credentials:provision';

/**
 * Creates the `apim:credentials:provision` action: maps an existing OAuth2 client (consumer key +
 * secret) into the API-M application of a catalog entity, in one or more environments, by calling
 * the apim-credentials backend on behalf of the user who runs the template.
 *
 * @public
 */
export function createApimCredentialsProvisionAction(
  options: ApimCredentialsActionOptions,
) {
  return createTemplateAction({
    id: PROVISION_ACTION_ID,
    description:
      "Provides an existing OAuth2 client (consumer key and secret) to a catalog entity's WSO2 API-M application in one or more environments, on behalf of the user running the template. In an environment that requires approval it files an approval request (output approvals) instead; running the task again after the approval maps the client. Idempotent; supports dry run.",
    examples: provisionExamples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: entityRefInput('whose API-M application gets the client'),
        clients: z =>
          z
            .array(
              z.object({
                environment: z.string({
                  description: 'Environment id (apimCredentials.environments)',
                }),
                consumerKey: z.string({
                  description: 'The OAuth2 client id for that environment',
                }),
                secretName: z.string({
                  description:
                    "Name of the task secret (declared under the template's spec.secrets) that holds this client's consumer secret; the ApimClientsPicker field fills it",
                }),
              }),
              {
                description:
                  'One client per environment (a client cannot be both the SANDBOX and the PRODUCTION key of one application). Use instead of environments + consumerKey + consumerSecret',
              },
            )
            .min(1)
            .optional(),
        environments: z =>
          z
            .union([z.string(), z.array(z.string()).min(1)], {
              description:
                'One environment id or a list of them, as configured under apimCredentials.environments (GET /api/apim-credentials/environments), all getting the one client consumerKey. Without clients only',
            })
            .optional(),
        keyManager: z =>
          z.string({
            description:
              'Name of the API-M key manager where the client lives, e.g. "Resident Key Manager" or "IS"',
          }),
        consumerKey: z =>
          z
            .string({
              description:
                'The OAuth2 client id (not secret), with environments; without clients only',
            })
            .optional(),
        consumerSecret: z =>
          z
            .string({
              description:
                "The OAuth2 client secret, with environments. Must come from the template's secrets (`${{ secrets.consumerSecret }}`, a parameter with `ui:field: Secret`): any other value, including the masked `*****` copy in parameters, fails the step before any call. Never logged or output",
            })
            .optional(),
        verify: z =>
          z
            .boolean({
              description:
                'Prove the credentials with a client_credentials request at the key manager before mapping (the backend may require this regardless)',
            })
            .optional(),
        createApplication: z =>
          z
            .boolean({
              description:
                "Create the entity's API-M application when it does not exist yet (default: the backend's apimCredentials.applications.createIfMissing). false: fail instead",
            })
            .optional(),
        waitForEntity: waitForEntityInput,
      },
      output: {
        applicationId: z =>
          z.string({
            description:
              'API-M application id (of the first environment; see mappings for each environment)',
          }),
        applicationName: z =>
          z.string({
            description: 'API-M application name (of the first environment)',
          }),
        applicationStatus: z =>
          z.string({
            description:
              "API-M's workflow status of the application (of the first environment): APPROVED, or CREATED while pending approval (tokens are refused until approved); empty when unknown",
          }),
        warnings: z =>
          z.array(z.string(), {
            description:
              'What works differently than expected, per environment (e.g. an application pending approval); empty when nothing',
          }),
        mappings: z =>
          z.array(
            z.object({
              environment: z.string(),
              keyManager: z.string(),
              keyType: z.string(),
              consumerKey: z.string(),
              keyMappingId: z.string(),
              applicationId: z.string(),
              applicationName: z.string(),
              applicationStatus: z.string().optional(),
              warning: z.string().optional(),
              status: z.enum(['created', 'unchanged']),
            }),
            {
              description:
                'One entry per environment that succeeded: created now, or unchanged because that client was already mapped there',
            },
          ),
        approvals: z =>
          z.array(
            z.object({
              environment: z.string(),
              keyManager: z.string(),
              consumerKey: z.string(),
              requestId: z.string(),
              state: z.string(),
              expiresAt: z.string(),
            }),
            {
              description:
                'One entry per environment that requires approval and has none yet (issue 14): the approval request filed (or pending already) and its state. Nothing is mapped there; run the task again once it is approved',
            },
          ),
      },
    },
    async handler(ctx) {
      const sensitive: string[] = [];
      for (const value of [
        ctx.input.consumerSecret,
        ...(ctx.input.clients ?? []).map(c => ctx.secrets?.[c.secretName]),
      ]) {
        if (value) sensitive.push(value);
      }
      registerSensitive(ctx.logger, sensitive);

      // Inputs, checked before anything is called.
      const entityRef = normaliseEntityRef(ctx.input.entityRef);
      const keyManager = checkKeyManager(ctx.input.keyManager);
      const clients = resolveClients(ctx.input, ctx.secrets);
      const environments = clients.map(c => c.environment);
      const clientOf = new Map(clients.map(c => [c.environment, c]));

      const taskId = ctx.task.id;
      const { dryRun, credentials, entityPending } = await beginStep(
        ctx,
        options.catalog,
        entityRef,
      );

      const { client, requestOptions } = await connectForTask(
        options,
        credentials,
        { taskId, signal: ctx.signal },
      );
      const provisionOptions = {
        ...requestOptions,
        createApplication: ctx.input.createApplication,
      };
      const bodyOf = (environment: string) => {
        const c = clientOf.get(environment)!;
        return {
          consumerKey: c.consumerKey,
          consumerSecret: c.consumerSecret,
          ...(ctx.input.verify !== undefined
            ? { verify: ctx.input.verify }
            : {}),
        };
      };

      const report = (succeeded: EnvironmentOutcome[]) => {
        const outputs = provisionOutputs(
          succeeded.filter(
            (o): o is ProvisionCheckpoint => !isApprovalOutcome(o),
          ),
        );
        ctx.output('applicationId', outputs.applicationId);
        ctx.output('applicationName', outputs.applicationName);
        ctx.output('applicationStatus', outputs.applicationStatus);
        ctx.output('warnings', outputs.warnings);
        ctx.output('mappings', outputs.mappings);
        ctx.output('approvals', approvalsOutput(succeeded));
      };

      const known = await fetchEnvironments(client, requestOptions, ctx.logger);
      preflight(environments, keyManager, known, ctx.logger);

      if (dryRun && entityPending) {
        for (const c of clients) {
          ctx.logger.info(
            dryRunWaitMessage(
              ctx.input.waitForEntity,
              entityRef,
              `provide client ${c.consumerKey} in ${describeCell({
                entityRef,
                environment: c.environment,
                keyManager,
              })}`,
            ),
          );
        }
        report([]);
        return;
      }

      // Every environment is checked before any changes (issue 15 item 2): one client given
      // for two key types of one instance, then the backend's own dry run of each cell.
      if (!dryRun && clients.length > 1) {
        await checkEveryEnvironment({
          entityRef,
          keyManager,
          environments,
          problems: oneClientPerKeyType(clients, known),
          sensitive,
          check: cell =>
            client.provision(cell, bodyOf(cell.environment), {
              ...provisionOptions,
              dryRun: true,
            }),
        });
      }

      const { succeeded, failures } = await forEachEnvironment({
        entityRef,
        keyManager,
        environments,
        operation: 'provision',
        logger: ctx.logger,
        sensitive,
        run: async (cell): Promise<EnvironmentOutcome> => {
          const body = bodyOf(cell.environment);
          // A filed approval request is an outcome, not a failure, and is never checkpointed
          // as done: running the task again after the approval maps the client (issue 14).
          const result = dryRun
            ? dryRunOutcome(
                await client.provision(cell, body, {
                  ...provisionOptions,
                  dryRun: true,
                }),
              )
            : await settleApproval(() =>
                ctx.checkpoint({
                  key: checkpointKey('provision', cell, body.consumerKey),
                  fn: async () =>
                    mappingOrPending(
                      await client.provision(cell, body, provisionOptions),
                    ),
                }),
              );
          if (isApprovalOutcome(result)) {
            logApprovalOutcome(ctx.logger, cell, result, dryRun);
          } else logProvisionResult(ctx.logger, cell, result, dryRun);
          return result;
        },
      });

      report(succeeded);

      if (failures.length > 0) {
        throw toError(failures, succeeded, 'provision', { entityRef });
      }
    },
  });
}
