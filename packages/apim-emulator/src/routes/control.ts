/** The emulator's own control API under `/_emulator` (not WSO2's; no auth, loopback only). */
import express, { Router } from 'express';
import type { EmulatorContext } from '../context';
import { validateFaults } from '../faults';
import type { EmulatorConfig } from '../types';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function controlRouter(
  ctx: EmulatorContext,
  onReset: () => void,
): Router {
  const router = Router();
  const { store } = ctx;
  router.use((req, res, next) => {
    if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
      res.status(403).json({
        error: 'The emulator control API is only available from loopback',
      });
      return;
    }
    next();
  });
  router.use(express.json({ type: () => true }));

  router.get('/state', (_req, res) => {
    res.json(store.snapshot());
  });
  router.get('/stats', (_req, res) => {
    res.json(ctx.stats.snapshot());
  });
  router.get('/faults', (_req, res) => {
    res.json(store.faults);
  });
  router.put('/faults', (req, res) => {
    try {
      store.faults = validateFaults(req.body);
      res.json(store.faults);
    } catch (e) {
      res.status(400).json({ error: (e as Error).message });
    }
  });
  router.delete('/faults', (_req, res) => {
    store.faults = [];
    res.json(store.faults);
  });
  router.post('/reset', (_req, res) => {
    store.reset();
    ctx.stats.reset();
    onReset();
    res.json({ reset: true });
  });
  router.patch('/key-managers/:name', (req, res) => {
    const km = store.findKeyManager(req.params.name);
    if (!km) {
      res
        .status(404)
        .json({ error: `No key manager named '${req.params.name}'` });
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    for (const f of [
      'enabled',
      'enableMapOAuthConsumerApps',
      'enableTokenGeneration',
      'enableOAuthAppCreation',
    ] as const) {
      if (body[f] !== undefined) {
        if (typeof body[f] !== 'boolean') {
          res.status(400).json({ error: `${f} must be a boolean` });
          return;
        }
        km[f] = body[f] as boolean;
      }
    }
    if (body.tokenType !== undefined) {
      if (!['DIRECT', 'EXCHANGED', 'BOTH'].includes(String(body.tokenType))) {
        res
          .status(400)
          .json({ error: 'tokenType must be DIRECT, EXCHANGED or BOTH' });
        return;
      }
      km.tokenType = body.tokenType as 'DIRECT';
    }
    res.json(store.snapshot().keyManagers.find(k => k.id === km.id));
  });
  router.put('/config', (req, res) => {
    const body = (req.body ?? {}) as Partial<EmulatorConfig>;
    const next: EmulatorConfig = { ...store.config };
    for (const f of [
      'provisionedAppValidation',
      'hasDeleteEndpoint',
      'keyProvisioningEnabled',
    ] as const) {
      if (body[f] !== undefined) {
        if (typeof body[f] !== 'boolean') {
          res.status(400).json({ error: `${f} must be a boolean` });
          return;
        }
        next[f] = body[f] as boolean;
      }
    }
    if (body.tokenLifetimeSeconds !== undefined) {
      if (
        !Number.isInteger(body.tokenLifetimeSeconds) ||
        body.tokenLifetimeSeconds <= 0
      ) {
        res
          .status(400)
          .json({ error: 'tokenLifetimeSeconds must be a positive integer' });
        return;
      }
      next.tokenLifetimeSeconds = body.tokenLifetimeSeconds;
    }
    store.config = next;
    res.json(store.config);
  });
  return router;
}
