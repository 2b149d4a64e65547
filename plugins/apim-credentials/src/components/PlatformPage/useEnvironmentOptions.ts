import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { apimCredentialsApiRef } from '../../api';

/** Environment ids and key manager names for the filter drop-downs (empty when unavailable). */
export function useEnvironmentOptions() {
  const api = useApi(apimCredentialsApiRef);
  const { value } = useAsync(() => api.getEnvironments(), [api]);
  const environments = (value ?? []).map(e => ({ id: e.id, title: e.title }));
  const keyManagers = [
    ...new Set((value ?? []).flatMap(e => e.keyManagers.map(km => km.name))),
  ].sort();
  return { environments, keyManagers };
}
