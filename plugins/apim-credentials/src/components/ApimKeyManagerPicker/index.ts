export { ApimKeyManagerPicker } from './ApimKeyManagerPicker';
