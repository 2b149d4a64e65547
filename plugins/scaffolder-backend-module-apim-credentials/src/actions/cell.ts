/**
 * A cell is one (entity, environment, key manager) slot the actions act on: the unit of the
 * per-environment loop, of its messages and of its checkpoints. Built from ids only, so nothing
 * derived from a cell can ever carry the consumer secret.
 */

/** Non-secret description of one cell. */
export interface Cell {
  /** Normalised entity ref, `kind:namespace/name`. */
  entityRef: string;
  /** Environment id from `apimCredentials.environments`. */
  environment: string;
  /** Name of the API-M key manager. */
  keyManager: string;
}

/**
 * What a failure is about: a cell, or an entity's environment without a key manager (the
 * subscriptions of its application, `apim:subscriptions:sync`).
 */
export type Target = Omit<Cell, 'keyManager'> & { keyManager?: string };

/** The prefix of every message about a cell: `environment "x" (key manager "y")`. */
export function describeCell(cell: Target): string {
  return `environment "${cell.environment}"${
    cell.keyManager ? ` (key manager "${cell.keyManager}")` : ''
  }`;
}

/**
 * The `ctx.checkpoint` key of one cell: deterministic, so a retried or recovered task finds the
 * result of its earlier run, and built only from non-secret ids (the scaffolder stores keys in
 * the task state, readable by whoever may read the task).
 *
 * @param consumerKey - provisioning only: a different client is a different operation
 */
export function checkpointKey(
  operation: 'provision' | 'unprovision',
  cell: Cell,
  consumerKey?: string,
): string {
  return [
    'apim-credentials',
    operation,
    cell.entityRef,
    cell.environment,
    cell.keyManager,
    ...(consumerKey ? [consumerKey] : []),
  ].join('|');
}
