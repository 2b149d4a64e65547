import { createRouteRef } from '@backstage/core-plugin-api';

/** Legacy system: the platform page `/apim-credentials`. */
export const rootRouteRef = createRouteRef({ id: 'apim-credentials' });

/** Legacy system: the entity tab. */
export const entityContentRouteRef = createRouteRef({
  id: 'apim-credentials:entity-content',
});
