import { isError } from '@backstage/errors';

/** The message the backend put in its error body, or the error's own message. */
export function backendMessage(error: unknown): string {
  if (isError(error)) {
    const body = (error as { body?: { error?: { message?: string } } }).body;
    const fromBody = body?.error?.message;
    if (fromBody) return fromBody;
    return error.message;
  }
  return String(error);
}

/** The HTTP status of a failed backend call, when there was one. */
export function backendStatus(error: unknown): number | undefined {
  if (isError(error)) {
    const status = (error as { statusCode?: unknown }).statusCode;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}

/** A short heading for a failed backend call, by status. */
export function failureTitle(error: unknown): string {
  const status = backendStatus(error);
  switch (status) {
    case 400:
      return 'The backend rejected the input';
    case 403:
      return 'Not allowed';
    case 404:
      return 'Not found';
    case 409:
      return 'Conflict';
    case 422:
      return 'Verification failed';
    case 502:
    case 503:
    case 504:
      return 'API-M or the key manager is not available';
    default:
      return status ? `The request failed (${status})` : 'The request failed';
  }
}
