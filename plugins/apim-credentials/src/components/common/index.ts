export * from './errors';
export * from './format';
export { PermissionGatedButton } from './PermissionGatedButton';
export { PermissionDeniedState } from './PermissionDeniedState';
export { OutcomeChip } from './OutcomeChip';
export { useKeysetPages } from './useKeysetPages';
export { PagerControls } from './PagerControls';
export * from './failures';
export { FailureAlert } from './FailureAlert';
