/**
 * The actions that concern one cell (entity x environment x key manager), issue 14 item 3:
 * `unprovision` (destructive; names the client it removes) and `plan-provision`. No action takes
 * a secret: `plan-provision` checks what a provisioning would check (and says whether approval is
 * required, naming the open request) and hands back a link to the entity tab's dialog,
 * pre-filled, where the person enters the secret themselves.
 */
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import type { JsonObject } from '@backstage/types';
import { parseEntityRef } from '@backstage/catalog-model';
import { z } from 'zod/v4';
import type { OpenCell } from '../cellGate';
import {
  ActionDeps,
  cellInputSchema,
  gateCell,
  guarded,
  parseInput,
} from './shared';

const cellFields = (zod: typeof import('zod/v3').z) => ({
  entityRef: zod
    .string()
    .describe('Full entity ref, e.g. component:default/orders-service'),
  environment: zod.string().describe('Environment id from app-config'),
  keyManager: zod.string().describe('API-M key manager name, e.g. IS'),
  consumerKey: zod.string().describe('OAuth2 client id (never a secret)'),
});

/**
 * The entity tab with its provide dialog open and pre-filled (query `provide`, `keyManager`,
 * `consumerKey`, read by the frontend's entity tab); relative without `app.baseUrl`.
 */
export function provideDialogLink(
  appBaseUrl: string | undefined,
  cell: {
    entityRef: string;
    environment: string;
    keyManager: string;
    consumerKey: string;
  },
): string {
  const { kind, namespace, name } = parseEntityRef(cell.entityRef);
  const path = [namespace, kind.toLocaleLowerCase('en-US'), name]
    .map(encodeURIComponent)
    .join('/');
  const query = new URLSearchParams({
    provide: cell.environment,
    keyManager: cell.keyManager,
    consumerKey: cell.consumerKey,
  });
  const base = (appBaseUrl ?? '').replace(/\/+$/, '');
  return `${base}/catalog/${path}/apim-credentials?${query}`;
}

/** The cell as the service takes it, once the gate opened it. */
interface GatedTarget {
  entityRef: string;
  applicationName: string;
  environment: string;
  keyManager: string;
  consumerKey: string;
}

/** The one optional boolean a cell action takes besides the cell. */
type CellOption = 'dryRun' | 'createApplication';

/**
 * The `action` of a cell action whose input is the cell and one optional boolean `option`: checks
 * the input with the REST API's schema, opens the cell through the gate (as `gate` says for the
 * option's value), runs `work` on it and closes the gate's auditor event: a success with the
 * `meta` that `work` returns, or the failure (thrown on as the REST API's public error).
 */
function cellAction<T>(
  deps: ActionDeps,
  option: CellOption,
  gate: (value: boolean | undefined) => {
    action: 'provision' | 'unprovision';
    dryRun: boolean;
  },
  work: (
    gated: OpenCell,
    target: GatedTarget,
    value: boolean | undefined,
  ) => Promise<{ output: T; meta: JsonObject }>,
) {
  const schema = cellInputSchema.extend({
    [option]: z.boolean().optional(),
  } as Record<CellOption, z.ZodOptional<z.ZodBoolean>>);
  return (context: { input: unknown; credentials: BackstageCredentials }) =>
    guarded(deps.logger, async () => {
      const input = parseInput(schema, context.input);
      const cell = {
        entityRef: input.entityRef,
        environment: input.environment,
        keyManager: input.keyManager,
        consumerKey: input.consumerKey,
      };
      const value = input[option];
      const { action, dryRun } = gate(value);
      const gated = await gateCell(
        deps,
        context.credentials,
        cell,
        action,
        dryRun,
      );
      try {
        const { output, meta } = await work(
          gated,
          {
            entityRef: gated.entityRef,
            applicationName: gated.applicationName,
            environment: gated.env.id,
            keyManager: cell.keyManager,
            consumerKey: cell.consumerKey,
          },
          value,
        );
        await gated.event.success({ meta });
        return { output };
      } catch (error) {
        await gated.event.fail({ error: error as Error });
        throw error;
      }
    });
}

export function registerCellActions(
  registry: ActionsRegistryService,
  deps: ActionDeps,
) {
  registry.register({
    name: 'unprovision',
    title: 'Remove an OAuth2 client mapping from API-M',
    description:
      "Removes the mapping of the named OAuth2 client (consumer key) from the entity's API-M application in one environment and key manager. The client itself stays in its key manager. Nothing is removed when another client is mapped there. Needs apim.credentials.provision on the entity; audited.",
    attributes: { destructive: true, readOnly: false, idempotent: true },
    schema: {
      input: zod =>
        zod.strictObject({
          ...cellFields(zod),
          dryRun: zod
            .boolean()
            .optional()
            .describe('Check everything and say what would be removed'),
        }),
      output: zod =>
        zod
          .object({
            status: zod.string(),
            consumerKey: zod.string().optional(),
            keyMappingId: zod.string().optional(),
            auditId: zod.string(),
            warning: zod.string().optional(),
          })
          .passthrough(),
    },
    action: cellAction(
      deps,
      'dryRun',
      dryRun => ({ action: 'unprovision', dryRun: dryRun === true }),
      async (gated, target, dryRun) => {
        const result = await deps.service.unprovision(
          { ...target, dryRun },
          gated.caller,
        );
        return {
          output: JSON.parse(JSON.stringify(result)),
          meta: { status: result.status, auditId: result.auditId },
        };
      },
    ),
  });

  registry.register({
    name: 'plan-provision',
    title: 'Check a provisioning and link to the dialog that completes it',
    description:
      "Checks everything provisioning an existing OAuth2 client would check (permission, binding, environment, key manager, application, conflicts with what is mapped) without the secret and without changing anything, and returns what would happen, whether the environment requires approval (and the open approval request, if any), plus a link to the entity's API-M Credentials tab with the provide dialog pre-filled (environment, key manager, consumer key). Give the link to the person: they enter the consumer secret there; no action accepts a secret.",
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: zod =>
        zod.strictObject({
          ...cellFields(zod),
          createApplication: zod
            .boolean()
            .optional()
            .describe('false: fail instead of creating a missing application'),
        }),
      output: zod =>
        zod.object({
          status: zod
            .string()
            .describe('created: would be mapped; unchanged: already mapped'),
          applicationName: zod.string(),
          applicationId: zod.string().describe('empty: would be created'),
          keyType: zod.string(),
          verificationRequired: zod.boolean(),
          approvalRequired: zod
            .boolean()
            .describe(
              'The environment requires an approver to approve a new client (apim.credentials.approve) before it is mapped',
            ),
          approvalRequest: zod
            .object({ id: zod.string(), state: zod.string() })
            .optional()
            .describe(
              'The open (pending or approved, unexpired) approval request for this cell, client and application, if any',
            ),
          link: zod.string(),
        }),
    },
    action: cellAction(
      deps,
      'createApplication',
      () => ({ action: 'provision', dryRun: true }),
      async (gated, target, createApplication) => {
        const plan = await deps.service.plan(
          { ...target, createApplication },
          gated.caller,
        );
        // What providing would meet: an approval to file, or the open request it answers.
        const open =
          gated.env.approval &&
          (await deps.stores.approvals.findOpen({
            entityRef: gated.entityRef,
            environment: gated.env.id,
            instance: gated.env.instance,
            keyManager: plan.keyManager,
            applicationName: gated.applicationName,
            consumerKey: target.consumerKey,
          }));
        return {
          meta: { status: plan.status },
          output: {
            status: plan.status,
            applicationName: plan.applicationName,
            applicationId: plan.applicationId,
            keyType: plan.keyType,
            verificationRequired: deps.service.config.verification.required,
            approvalRequired: Boolean(gated.env.approval),
            ...(open
              ? { approvalRequest: { id: open.id, state: open.state } }
              : {}),
            link: provideDialogLink(deps.appBaseUrl, {
              entityRef: gated.entityRef,
              environment: gated.env.id,
              keyManager: plan.keyManager,
              consumerKey: target.consumerKey,
            }),
          },
        };
      },
    ),
  });
}
