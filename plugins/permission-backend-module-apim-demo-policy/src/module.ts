import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { ApimDemoPermissionPolicy } from './ApimDemoPermissionPolicy';

/** Installs the demo permission policy in the permission backend. */
export const permissionModuleApimDemoPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'apim-demo-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, userInfo: coreServices.userInfo },
      async init({ policy, userInfo }) {
        policy.setPolicy(new ApimDemoPermissionPolicy(userInfo));
      },
    });
  },
});
