export { ApimCredentialsEntityContent } from './ApimCredentialsEntityContent';
