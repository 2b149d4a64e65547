import { useApimEnvironments } from '../../hooks/useApimEnvironments';

/**
 * Environment ids and key manager names for the filter drop-downs (empty when unavailable), and
 * the environments as `SelectFilter` options (the id as value, the title as label).
 */
export function useEnvironmentOptions() {
  const { value } = useApimEnvironments();
  const environments = (value ?? []).map(e => ({ id: e.id, title: e.title }));
  const environmentChoices = environments.map(e => ({
    value: e.id,
    label: e.title,
  }));
  const keyManagers = [
    ...new Set((value ?? []).flatMap(e => e.keyManagers.map(km => km.name))),
  ].sort();
  return { environments, environmentChoices, keyManagers };
}
