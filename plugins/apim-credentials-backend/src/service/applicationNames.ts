/**
 * The two ways an entity's application name (the `wso2.com/apim-application` annotation) can be
 * wrong before API-M is ever asked to create it: a name WSO2 refuses (CONTRACT.md 4.1, 4.2), and a
 * name that differs only in case from an application the service account already owns (WSO2's
 * duplicate check on create is case-insensitive in every release, CONTRACT.md 14.1).
 */
import { ConflictError, InputError } from '@backstage/errors';
import {
  APIM_APPLICATION_ANNOTATION,
  checkApplicationName,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { ApimClient } from '../apim/ApimClient';
import type { ApimApplication } from '../apim/types';

/**
 * Throws a 400 (`code` `APPLICATION_NAME_INVALID`) naming the annotation and WSO2's rule when
 * API-M would refuse the name; the rules themselves live in `-common` (checkApplicationName), so
 * the entity tab and the scaffolder actions say the same.
 */
export function assertApplicationName(name: string): void {
  const problem = checkApplicationName(name);
  if (problem) {
    throw Object.assign(new InputError(problem.message), {
      code: 'APPLICATION_NAME_INVALID' as const,
    });
  }
}

/**
 * A LIKE pattern that matches every spelling of `name` that differs only in case, whatever the
 * database collation: each cased character becomes `_`, WSO2's single-character wildcard in every
 * release (CONTRACT.md 4.2, 14.1). On 4.2/4.3 with a case-sensitive collation (H2, PostgreSQL,
 * Oracle) a plain `query=<name>` does not find `orders-service` for `Orders-Service`; this does.
 */
export function caseBlindQuery(name: string): string {
  return [...name]
    .map(c => (c.toLowerCase() !== c.toUpperCase() ? '_' : c))
    .join('');
}

/**
 * The service account's application whose name equals `name` ignoring case but not exactly, if
 * any. Only worth asking once an exact lookup found nothing.
 */
export async function findCaseVariant(
  client: ApimClient,
  name: string,
): Promise<ApimApplication | undefined> {
  const wanted = name.toLowerCase();
  const candidates = await client.searchApplications(caseBlindQuery(name));
  return candidates.find(
    app => app.name !== name && app.name.toLowerCase() === wanted,
  );
}

/**
 * The 409 (`code` `APPLICATION_NAME_CASE_CONFLICT`) for an annotation that differs only in case
 * from an existing application: API-M will not create it (CONTRACT.md 14.1), and mapping into the
 * other spelling silently would act on an application the annotation does not name.
 */
export function caseConflictError(
  annotation: string,
  existing: ApimApplication,
  instance: string,
): ConflictError {
  return Object.assign(
    new ConflictError(
      `API-M instance "${instance}" already has an application "${existing.name}", which differs from the ${APIM_APPLICATION_ANNOTATION} annotation "${annotation}" only in case. WSO2 API-M compares application names case-insensitively when creating one, so it will not create "${annotation}". Change the annotation to "${existing.name}" (the existing spelling) to use that application, or rename the application in API-M to "${annotation}".`,
    ),
    { code: 'APPLICATION_NAME_CASE_CONFLICT' as const },
  );
}
