/** Wraps async route handlers: ApiError -> its WSO2 body, anything else -> 500 generic body. */
import type { NextFunction, Request, Response } from 'express';
import { ApiError, errors, sendError } from '../errors';
import type { EmulatorContext } from '../context';

export function handle(
  ctx: EmulatorContext,
  fn: (req: Request, res: Response) => Promise<void> | void,
) {
  return async (req: Request, res: Response, _next: NextFunction) => {
    try {
      await fn(req, res);
    } catch (e) {
      if (e instanceof ApiError) {
        sendError(res, e);
        return;
      }
      ctx.logger.error('Unhandled error in route', {
        route: `${req.method} ${req.path}`,
        error: (e as Error)?.message,
      });
      sendError(res, errors.internal());
    }
  };
}

export function intParam(value: unknown, fallback: number): number {
  const n = typeof value === 'string' && value !== '' ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : fallback;
}
