export { ProvideKeysDialog } from './ProvideKeysDialog';
export { validateProvideKeys } from './validation';
