import { createApiRef } from '@backstage/core-plugin-api';
import type { ApimCredentialsFrontendApi } from './ApimCredentialsFrontendClient';

/**
 * The API ref of the apim-credentials client. Defined with core-plugin-api so that the same ref
 * serves legacy apps (`createApiFactory`) and new-system apps (`ApiBlueprint`).
 *
 * @public
 */
export const apimCredentialsApiRef = createApiRef<ApimCredentialsFrontendApi>({
  id: 'plugin.apim-credentials.client',
});
