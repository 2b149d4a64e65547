import { createRouteRef } from '@backstage/core-plugin-api';

/**
 * The platform page `/apim-credentials`. The one route ref of both frontend systems: the new
 * system's plugin takes it through `convertLegacyRouteRef`, which gives this same object the new
 * system's shape instead of creating a second ref, so a link to it resolves in either app.
 *
 * @public
 */
export const rootRouteRef = createRouteRef({ id: 'apim-credentials' });

/** The entity tab, for both frontend systems (see {@link rootRouteRef}). */
export const entityContentRouteRef = createRouteRef({
  id: 'apim-credentials:entity-content',
});
