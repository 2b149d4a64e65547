/**
 * Applications of the service account (devportal v3 `/applications`, CONTRACT.md 4).
 */
import { DevportalCall, listPages } from './devportalCall';
import type { ApimApplication } from './types';

/** Finds the application with exactly this name; WSO2's `query` matches substrings. */
export async function findApplicationByName(
  call: DevportalCall,
  name: string,
): Promise<ApimApplication | undefined> {
  for await (const list of listPages<ApimApplication>(
    call,
    applicationsQuery(name),
  )) {
    const exact = list.find(app => app.name === name);
    if (exact)
      return {
        applicationId: exact.applicationId,
        name: exact.name,
        // CREATED (pending approval) or REJECTED matter to the caller (CONTRACT.md 14.1, 14.2).
        ...(exact.status ? { status: exact.status } : {}),
      };
  }
  return undefined;
}

/**
 * Every application of the service account whose name matches `query`, all pages (at most
 * 100 pages of 100). WSO2 runs `query` as a SQL LIKE substring pattern in which `%` and `_` are
 * wildcards, case-insensitive from 4.4 and following the database collation on 4.2/4.3
 * (CONTRACT.md 4.2, 14.1).
 */
export async function searchApplications(
  call: DevportalCall,
  query: string,
): Promise<ApimApplication[]> {
  const found: ApimApplication[] = [];
  for await (const list of listPages<ApimApplication>(call, {
    ...applicationsQuery(query),
    maxPages: 100,
  })) {
    for (const app of list)
      found.push({ applicationId: app.applicationId, name: app.name });
  }
  return found;
}

/** The listing of the applications whose name matches `query` (WSO2's substring match). */
function applicationsQuery(query: string) {
  return {
    path: '/applications',
    params: { query },
    operation: 'GET /applications?query',
  };
}

export async function createApplication(
  call: DevportalCall,
  name: string,
  throttlingPolicy: string,
  description: string,
): Promise<ApimApplication> {
  const app = await call<ApimApplication>({
    method: 'POST',
    path: '/applications',
    operation: 'POST /applications',
    body: { name, throttlingPolicy, description, tokenType: 'JWT' },
  });
  return {
    applicationId: app.applicationId,
    name: app.name,
    ...(app.status ? { status: app.status } : {}),
  };
}

/**
 * Deletes an application with its mappings and subscriptions; mapped clients stay in their key
 * managers (CONTRACT.md 4.2). Used only for an application Backstage created in a failed attempt.
 */
export async function deleteApplication(
  call: DevportalCall,
  applicationId: string,
): Promise<void> {
  await call({
    method: 'DELETE',
    path: `/applications/${encodeURIComponent(applicationId)}`,
    operation: 'DELETE /applications/{id}',
  });
}
