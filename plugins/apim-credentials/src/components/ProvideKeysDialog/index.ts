export { ProvideKeysDialog } from './ProvideKeysDialog';
export type { ProvideOutcome } from './ProvideKeysDialog';
export { validateProvideKeys } from './validation';
