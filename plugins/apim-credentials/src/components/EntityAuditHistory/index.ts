export { EntityAuditHistory } from './EntityAuditHistory';
