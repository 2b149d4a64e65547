/**
 * Release profiles: what differs between WSO2 API-M 4.2 and 4.6 for the calls the product makes
 * (CONTRACT 14.3, the release matrix). Everything not listed here behaves the same in every
 * profile (CONTRACT 14.3, last row).
 */

export const APIM_VERSIONS = ['4.2', '4.3', '4.4', '4.5', '4.6'] as const;
export type ApimVersion = (typeof APIM_VERSIONS)[number];
export const DEFAULT_APIM_VERSION: ApimVersion = '4.6';

export interface ReleaseProfile {
  version: ApimVersion;
  /**
   * `DELETE .../oauth-keys/{id}` (CONTRACT 9.2, 14.1, 14.3 row 1): `absent` = 405 on 4.2 (only
   * clean-up exists), `unchecked` = 4.3 to 4.5 (no 404/403: an unknown app is a 500 null pointer,
   * another owner's mapping is deleted), `checked` = 4.6 (404 unknown app, 403 not the owner).
   */
  deleteOAuthKeys: 'absent' | 'unchecked' | 'checked';
  /**
   * Application search (CONTRACT 14.1 row 2, 14.3 row 2): `LOWER(NAME) LIKE LOWER(?)` from 4.4;
   * on 4.2/4.3 `NAME like ?`, whose case follows the database collation.
   */
  searchCaseInsensitive: boolean;
  /**
   * KM listing filtered by the KM's role permissions, and global KMs listed after the tenant's
   * (CONTRACT 14.1 row 7, 14.3 row 3): from 4.3. On 4.2 the listing is unfiltered and global KMs
   * do not exist.
   */
  keyManagerPermissions: boolean;
  globalKeyManagers: boolean;
}

/** The profile of one release (CONTRACT 14.3). */
export function releaseProfile(version: ApimVersion): ReleaseProfile {
  const minor = Number(version.split('.')[1]);
  let deleteOAuthKeys: ReleaseProfile['deleteOAuthKeys'] = 'unchecked';
  if (minor < 3) deleteOAuthKeys = 'absent';
  if (minor >= 6) deleteOAuthKeys = 'checked';
  return {
    version,
    deleteOAuthKeys,
    searchCaseInsensitive: minor >= 4,
    keyManagerPermissions: minor >= 3,
    globalKeyManagers: minor >= 3,
  };
}

export function isApimVersion(value: unknown): value is ApimVersion {
  return (
    typeof value === 'string' &&
    (APIM_VERSIONS as readonly string[]).includes(value)
  );
}

/**
 * Checks a version given on the command line, in options or over the control API.
 * @throws Error naming `field` and the supported versions.
 */
export function parseApimVersion(
  value: unknown,
  field = 'apimVersion',
): ApimVersion {
  if (isApimVersion(value)) return value;
  throw new Error(
    `${field} must be one of ${APIM_VERSIONS.join(', ')}; got ${JSON.stringify(
      value,
    )}`,
  );
}
