/**
 * Who is asking, as recorded on audit rows. The REST API and the actions registry both derive
 * the caller from Backstage credentials only; the source header is informational (issue 10
 * item 5) and the task id is believed only from the scaffolder's on-behalf-of token.
 */
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import {
  APIM_CREDENTIALS_SOURCE_HEADER,
  APIM_CREDENTIALS_TASK_ID_HEADER,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { Caller } from './service/provisioningTypes';

const TASK_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Who may call the REST API's routes (`httpAuth.credentials(req, CALLERS)`): people and other
 * plugins; unauthenticated requests never get this far (401), and services are refused per route
 * where a person must act.
 */
export const CALLERS = {
  allow: ['user', 'service'] as Array<'user' | 'service'>,
};

/**
 * The caller of a REST request: source `scaffolder` (with its task id) for the scaffolder's
 * on-behalf-of token, `ui` when a plain user token comes with the frontend's mark, else `api`.
 * A service principal is recorded by its subject (it is never allowed to mutate; see access.ts).
 */
export function callerOfRequest(
  auth: AuthService,
  req: Request,
  credentials: BackstageCredentials,
): Caller {
  const { userEntityRef, via, isUser } = identify(auth, credentials);
  const requestId = randomUUID();
  if (isUser && via === 'plugin:scaffolder') {
    // Only a token the scaffolder obtained on behalf of the user may name a task.
    const taskId = req.header(APIM_CREDENTIALS_TASK_ID_HEADER);
    return {
      userEntityRef,
      source: 'scaffolder',
      via,
      taskId: taskId && TASK_ID.test(taskId) ? taskId : undefined,
      requestId,
    };
  }
  // The header is informational (anyone may set it) and decides nothing but the source column.
  const fromUi =
    isUser && !via && req.header(APIM_CREDENTIALS_SOURCE_HEADER) === 'ui';
  return { userEntityRef, source: fromUi ? 'ui' : 'api', via, requestId };
}

/**
 * The caller of an action of the actions registry: source `action`, and the plugin the request
 * came through (`plugin:mcp-actions` for an agent over MCP) as `via`.
 */
export function callerOfAction(
  auth: AuthService,
  credentials: BackstageCredentials,
): Caller {
  const { userEntityRef, via } = identify(auth, credentials);
  return { userEntityRef, source: 'action', via, requestId: randomUUID() };
}

/**
 * The user and the plugin acting for them; a service principal is recorded by its subject
 * (it is never allowed to mutate; see access.ts), anything else as `none`.
 */
function identify(auth: AuthService, credentials: BackstageCredentials) {
  if (auth.isPrincipal(credentials, 'user')) {
    const { userEntityRef, actor } = credentials.principal;
    return { userEntityRef, via: actor?.subject, isUser: true };
  }
  const userEntityRef = auth.isPrincipal(credentials, 'service')
    ? credentials.principal.subject
    : 'none';
  return { userEntityRef, via: undefined, isUser: false };
}

/**
 * The plugin itself as the actor of the rows its scheduled job writes on its own account (an
 * approval request expiring): no person did it, so no person's name is on the row.
 */
export const SYSTEM_CALLER: Caller = {
  userEntityRef: 'plugin:apim-credentials',
  source: 'job',
  via: 'reconcile-job',
};
