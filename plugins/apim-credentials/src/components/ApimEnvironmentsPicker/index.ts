export { ApimEnvironmentsPicker } from './ApimEnvironmentsPicker';
