import { useMemo } from 'react';
import { useApimEnvironments } from '../../hooks/useApimEnvironments';

/**
 * Display titles for what rows store by id (issue 15 item 6): the environment's configured
 * title and the key manager's display name from API-M, the same words the entity tab uses.
 * Falls back to the stored id while the environments load, or when one has since been removed
 * from the configuration (old audit rows keep naming it).
 */
export function useDisplayNames() {
  const { value } = useApimEnvironments();
  return useMemo(() => {
    const environments = new Map((value ?? []).map(e => [e.id, e]));
    const keyManagers = new Map<string, string>();
    for (const env of value ?? []) {
      for (const km of env.keyManagers) {
        // One key manager has one display name per instance; the first environment decides.
        if (!keyManagers.has(km.name)) keyManagers.set(km.name, km.displayName);
      }
    }
    return {
      environment: (id: string | undefined) =>
        id ? environments.get(id)?.title ?? id : '',
      keyManager: (name: string | undefined, environment?: string) => {
        if (!name) return '';
        const own = environment
          ? environments
              .get(environment)
              ?.keyManagers.find(km => km.name === name)?.displayName
          : undefined;
        return own ?? keyManagers.get(name) ?? name;
      },
    };
  }, [value]);
}

/** What `useDisplayNames` returns. */
export type DisplayNames = ReturnType<typeof useDisplayNames>;
