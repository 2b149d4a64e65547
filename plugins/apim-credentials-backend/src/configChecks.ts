/**
 * Checks that more than one reader of the `apimCredentials` configuration makes. Each fails
 * through the reader's `fail`, which throws an error naming the key.
 */

/** Throws an error saying that `apimCredentials.<key>` is wrong and why. */
export type ConfigFail = (key: string, why: string) => never;

/**
 * `value` as a URL, which must be http(s).
 *
 * @param key - where the value is configured, under `apimCredentials`
 */
export function checkHttpUrl(
  value: string,
  key: string,
  fail: ConfigFail,
): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(key, `"${value}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    fail(key, 'must be an http(s) URL');
  }
  return url;
}

/**
 * The ids of the non-empty list configured at `key`, each of which must differ from the others.
 *
 * @param what - what the list holds, for the message of an empty one (`instance`)
 */
export function checkUniqueIds(
  items: ReadonlyArray<{ id: string }>,
  key: string,
  what: string,
  fail: ConfigFail,
): Set<string> {
  if (items.length === 0) fail(key, `at least one ${what} is required`);
  const ids = new Set<string>();
  items.forEach((item, i) => {
    if (ids.has(item.id)) fail(`${key}[${i}].id`, `duplicate id "${item.id}"`);
    ids.add(item.id);
  });
  return ids;
}
