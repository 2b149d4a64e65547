/** `GET /key-managers` of devportal v3 (contract 5.1); disabled KMs are listed too. */
import { Router } from 'express';
import { requireScopes } from '../auth';
import type { EmulatorContext } from '../context';
import { keyManagerInfoDto } from '../dto';
import { handle } from './handler';

export function keyManagersRouter(ctx: EmulatorContext): Router {
  const router = Router();
  router.get(
    '/key-managers',
    requireScopes(ctx.store, ctx.users, ['apim:subscribe']),
    handle(ctx, (_req, res) => {
      const list = ctx.store.keyManagers.map(km =>
        keyManagerInfoDto(km, ctx.url()),
      );
      res.status(200).json({ count: list.length, list });
    }),
  );
  return router;
}
