/**
 * Actions for AI agents (issue 14 item 3), registered with the actions registry and exposed over
 * MCP by `@backstage/plugin-mcp-actions-backend` when `backend.actions.pluginSources` lists
 * `apim-credentials`. Each action receives the caller's credentials and applies the REST API's
 * permission checks through the same helpers; no action accepts a secret.
 */
import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { registerCellActions } from './cellActions';
import { registerReadActions } from './readActions';
import { ActionDeps } from './shared';

export type { ActionDeps } from './shared';
export { provideDialogLink } from './cellActions';

/** Registers every action of the plugin; ids are `apim-credentials:<name>`. */
export function registerApimCredentialsActions(
  registry: ActionsRegistryService,
  deps: ActionDeps,
): void {
  registerReadActions(registry, deps);
  registerCellActions(registry, deps);
}
