import type { EnvironmentInfo } from '@apim-credentials/backstage-plugin-apim-credentials-common';

/** A key manager as the key manager picker lists it for the selected environments. */
export interface KeyManagerOption {
  name: string;
  displayName: string;
  /** Mapping is allowed in every selected environment. */
  offered: boolean;
  /** Why it is not offered, per environment (`Production: ...`), when it is not. */
  reason?: string;
}

/**
 * The key managers of the selected environments: every key manager any of them knows, offered
 * only when it allows mapping in all of them. Environments that are not (or no longer) configured
 * are ignored; an environment whose instance could not be reached blocks every key manager.
 */
export function keyManagerOptions(
  environments: EnvironmentInfo[],
  selectedIds: string[],
): KeyManagerOption[] {
  const selected = selectedIds
    .map(id => environments.find(e => e.id === id))
    .filter((e): e is EnvironmentInfo => e !== undefined);

  const names = new Map<string, string>();
  for (const env of selected) {
    for (const km of env.keyManagers) {
      if (!names.has(km.name)) names.set(km.name, km.displayName || km.name);
    }
  }

  return [...names].map(([name, displayName]) => {
    // Environments that block it for the same reason are named together.
    const byReason = new Map<string, string[]>();
    for (const env of selected) {
      const why = notOfferedReason(env, name);
      if (why) byReason.set(why, [...(byReason.get(why) ?? []), env.title]);
    }
    if (byReason.size === 0) return { name, displayName, offered: true };
    const reason = [...byReason]
      .map(([why, titles]) => `${titles.join(', ')}: ${why}`)
      .join('; ');
    return { name, displayName, offered: false, reason };
  });
}

function notOfferedReason(
  env: EnvironmentInfo,
  keyManager: string,
): string | undefined {
  if (env.error) return `its key managers could not be listed (${env.error})`;
  const km = env.keyManagers.find(k => k.name === keyManager);
  if (!km) return 'not available in this environment';
  if (!km.mappingAllowed) return km.reason ?? 'mapping is not allowed';
  return undefined;
}

/** A form value as a list of strings (anything else counts as nothing selected). */
export function asStringArray(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : [];
}
