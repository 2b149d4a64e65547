/** `GET /key-managers` of devportal v3 (CONTRACT 5.1, 14.1, 14.2.1); disabled KMs are listed too. */
import { Router } from 'express';
import { principalOf, requireScopes } from '../auth';
import type { EmulatorContext } from '../context';
import { keyManagerInfoDto } from '../dto';
import type { KeyManager } from '../state';
import { handle } from './handler';

/** The KM's role permissions allow this user to see it (CONTRACT 5.1). */
export function permitted(km: KeyManager, roles: string[]): boolean {
  const { type, roles: kmRoles } = km.permissions;
  const member = kmRoles.some(r => roles.includes(r));
  if (type === 'ALLOW') return member;
  if (type === 'DENY') return !member;
  return true;
}

export function keyManagersRouter(ctx: EmulatorContext): Router {
  const router = Router();
  router.get(
    '/key-managers',
    requireScopes(ctx.store, ctx.users, ['apim:subscribe']),
    handle(ctx, (_req, res) => {
      const { store } = ctx;
      const roles = ctx.users.get(principalOf(res).username)?.roles ?? [];
      // From 4.3 the listing hides KMs whose permissions exclude the caller (map-keys does
      // not, CONTRACT 14.1); 4.2 lists every KM and has no global ones (CONTRACT 14.3).
      const filter = store.profile().keyManagerPermissions;
      const list = store
        .existingKeyManagers()
        .filter(km => !filter || permitted(km, roles))
        .map(km => keyManagerInfoDto(km, store.config));
      res.status(200).json({ count: list.length, list });
    }),
  );
  return router;
}
