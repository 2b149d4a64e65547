export { ApimClientsPicker } from './ApimClientsPicker';
