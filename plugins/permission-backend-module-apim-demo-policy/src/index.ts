/** Demo permission policy for the apim-credentials plugin. @packageDocumentation */
export { permissionModuleApimDemoPolicy as default } from './module';
export { ApimDemoPermissionPolicy } from './ApimDemoPermissionPolicy';
