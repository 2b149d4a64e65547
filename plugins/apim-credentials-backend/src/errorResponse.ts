/**
 * What an error may tell the caller (issue 10 item 4). Backstage's own error handler serialises
 * every enumerable field of an error and its whole `cause` chain; a body parser error carries
 * the raw request body (the consumer secret included), and an API-M failure carries hosts,
 * ports and WSO2's descriptions. This handler sits at the end of the plugin's router and hands
 * Backstage's handler a clean error instead: Backstage's body shape
 * (`{ error: { name, message, code }, request, response }`), a stable `code`, no cause, no body.
 */
import { randomBytes } from 'node:crypto';
import type { ErrorRequestHandler } from 'express';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import type { ApimCredentialsErrorCode } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { RateLimitedError, errorCodeOf } from './errors';

/** An error safe to serialise: only these fields are enumerable. */
class PublicError extends Error {
  declare readonly statusCode: number;
  constructor(
    name: string,
    message: string,
    readonly code: ApimCredentialsErrorCode,
    statusCode: number,
    fields?: string[],
  ) {
    super(message);
    // The names of the request fields a 400 is about (parse.ts), for forms; never a value.
    if (fields?.length) {
      Object.defineProperty(this, 'fields', {
        value: fields,
        enumerable: true,
      });
    }
    // Read by Backstage's handler for the status; not part of the body (it has response.statusCode).
    Object.defineProperty(this, 'statusCode', { value: statusCode });
    // Backstage derives the status from the name for its own error kinds; keep it.
    Object.defineProperty(this, 'name', { value: name, enumerable: true });
    // A stack would name files and lines of the backend.
    delete (this as { stack?: string }).stack;
  }
}

/** Messages for body-parser failures (the `type` field of its errors); never the body itself. */
const BODY_ERRORS: Record<string, string> = {
  'entity.parse.failed': 'Invalid body: it is not valid JSON',
  'entity.too.large': 'Invalid body: it is larger than the 64 kB allowed',
  'entity.verify.failed': 'Invalid body: it could not be verified',
  'charset.unsupported': 'Invalid body: send it as UTF-8 JSON',
  'encoding.unsupported':
    'Invalid body: unsupported Content-Encoding; send it uncompressed or gzip/deflate/br encoded',
  'request.aborted': 'Invalid body: the request was aborted while it was read',
  'request.size.invalid':
    'Invalid body: its length does not match the Content-Length header',
  'stream.encoding.set': 'Invalid body: it could not be read',
  'stream.not.readable': 'Invalid body: it could not be read',
  'parameters.too.many': 'Invalid body: too many parameters',
};

const STATUS_BY_NAME: Record<string, number> = {
  InputError: 400,
  AuthenticationError: 401,
  NotAllowedError: 403,
  NotFoundError: 404,
  ConflictError: 409,
  NotImplementedError: 501,
  ServiceUnavailableError: 503,
};

function statusOf(error: Error): number {
  const own = (error as { statusCode?: unknown }).statusCode;
  if (
    typeof own === 'number' &&
    Number.isInteger(own) &&
    own >= 400 &&
    own < 600
  )
    return own;
  return STATUS_BY_NAME[error.name] ?? 500;
}

/** A body-parser (express.json) error, recognised by the fields it always sets. */
function bodyParserMessage(error: unknown): string | undefined {
  if (!isError(error)) return undefined;
  const { type, expose } = error as { type?: unknown; expose?: unknown };
  if (typeof type !== 'string' || typeof expose !== 'boolean') return undefined;
  return BODY_ERRORS[type] ?? 'Invalid body: it could not be read';
}

/**
 * Turns any error into what may be sent: 4xx keep their message (written for the caller by this
 * plugin) and get a code; 5xx keep only the message of errors this plugin wrote for callers
 * (UpstreamError names the failing system) and are logged in full under a log id; anything
 * unexpected becomes "internal error, logId=...". Exported for tests.
 */
export function toPublicError(
  error: unknown,
  logger: LoggerService,
): PublicError {
  const bodyMessage = bodyParserMessage(error);
  if (bodyMessage) {
    return new PublicError('InputError', bodyMessage, 'MALFORMED_BODY', 400);
  }
  if (!isError(error)) {
    return internal(new Error(String(error)), logger);
  }
  const status = statusOf(error);
  const code = errorCodeOf(error);
  const message = ownMessage(error);
  if (status < 500) {
    return new PublicError(error.name, message, code, status, fieldsOf(error));
  }
  if (code === 'INTERNAL') return internal(error, logger);
  const logId = randomBytes(8).toString('hex');
  logger.error(`${message} (logId=${logId})`, error);
  return new PublicError(
    error.name,
    `${message} (logId=${logId})`,
    code,
    status,
  );
}

/**
 * The error's message without the text of its cause: Backstage's CustomErrorBase appends
 * "; caused by <cause>" to the message, which would send the cause chain after all.
 */
function ownMessage(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause === undefined) return error.message;
  const at = error.message.indexOf('; caused by ');
  return at >= 0 ? error.message.slice(0, at) : error.message;
}

function internal(error: Error, logger: LoggerService): PublicError {
  const logId = randomBytes(8).toString('hex');
  logger.error(`Internal error logId=${logId}`, error);
  return new PublicError(
    'Error',
    `An internal error occurred in the apim-credentials backend; its log has the details under logId=${logId}`,
    'INTERNAL',
    500,
  );
}

/** Field names a 400 may name: identifiers only, so nothing of a value can ride along. */
function fieldsOf(error: Error): string[] | undefined {
  const fields = (error as { fields?: unknown }).fields;
  if (!Array.isArray(fields)) return undefined;
  return fields.filter(
    (f): f is string =>
      typeof f === 'string' && /^[A-Za-z][\w.-]{0,63}$/.test(f),
  );
}

/** The plugin router's last middleware; see the module comment. */
export function errorResponse(logger: LoggerService): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (error instanceof RateLimitedError && !res.headersSent) {
      res.setHeader('retry-after', String(error.retryAfterSeconds));
    }
    next(toPublicError(error, logger));
  };
}
