export { RemoveMappingDialog } from './RemoveMappingDialog';
