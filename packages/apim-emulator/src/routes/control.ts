/** The emulator's own control API under `/_emulator` (not WSO2's; no auth, loopback only). */
import express, { Router, type Response } from 'express';
import type { EmulatorContext } from '../context';
import { validateFaults } from '../faults';
import { isApimVersion, APIM_VERSIONS } from '../profiles';
import type { KeyManager } from '../state';
import type {
  EmulatorConfig,
  KeyManagerOptions,
  SubscriptionStatus,
} from '../types';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const TRANSPORT_FAILURES = ['refused', 'dns', 'timeout'];
const APP_STATUSES = ['APPROVED', 'CREATED', 'REJECTED'];

/** A 400 naming the field; thrown by the checks below, answered by `guard`. */
class BadControlInput extends Error {}

function check(ok: boolean, message: string): void {
  if (!ok) throw new BadControlInput(message);
}

const isBool = (v: unknown) => typeof v === 'boolean';
const isMs = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
const isStringList = (v: unknown) =>
  Array.isArray(v) && v.every(x => typeof x === 'string' && x);

function guard(res: Response, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof BadControlInput)) throw e;
    res.status(400).json({ error: e.message });
  }
}

/** Checks the release-related KM fields shared by add and patch (CONTRACT 14.1, 14.2.1, 14.3). */
function checkKeyManagerFields(body: Record<string, unknown>): void {
  for (const f of [
    'enabled',
    'enableMapOAuthConsumerApps',
    'enableTokenGeneration',
    'enableOAuthAppCreation',
    'global',
  ]) {
    check(body[f] === undefined || isBool(body[f]), `${f} must be a boolean`);
  }
  check(
    body.tokenType === undefined ||
      ['DIRECT', 'EXCHANGED', 'BOTH'].includes(String(body.tokenType)),
    'tokenType must be DIRECT, EXCHANGED or BOTH',
  );
  const p = body.permissions as Record<string, unknown> | undefined;
  check(
    p === undefined ||
      (typeof p === 'object' &&
        p !== null &&
        ['PUBLIC', 'ALLOW', 'DENY'].includes(String(p.type)) &&
        Array.isArray(p.roles) &&
        p.roles.every(r => typeof r === 'string')),
    'permissions must be {type: PUBLIC|ALLOW|DENY, roles: string[]}',
  );
  check(
    body.displayTokenEndpoint === undefined ||
      body.displayTokenEndpoint === null ||
      typeof body.displayTokenEndpoint === 'string',
    'displayTokenEndpoint must be a URL string or null',
  );
  check(
    body.notLoaded === undefined ||
      isBool(body.notLoaded) ||
      isMs(body.notLoaded),
    'notLoaded must be true (permanent), false, or milliseconds',
  );
  check(
    body.transportFailure === undefined ||
      body.transportFailure === null ||
      TRANSPORT_FAILURES.includes(String(body.transportFailure)),
    `transportFailure must be one of ${TRANSPORT_FAILURES.join(', ')} or null`,
  );
}

/** Applies checked fields to a KM; enabling it starts its load delay (CONTRACT 14.1). */
function applyKeyManagerPatch(
  ctx: EmulatorContext,
  km: KeyManager,
  body: Record<string, unknown>,
): void {
  const wasEnabled = km.enabled;
  for (const f of [
    'enabled',
    'enableMapOAuthConsumerApps',
    'enableTokenGeneration',
    'enableOAuthAppCreation',
    'global',
  ] as const) {
    if (body[f] !== undefined) km[f] = body[f] as boolean;
  }
  if (body.tokenType !== undefined) km.tokenType = body.tokenType as 'DIRECT';
  if (body.permissions !== undefined) {
    const p = body.permissions as KeyManager['permissions'];
    km.permissions = { type: p.type, roles: [...p.roles] };
  }
  if (body.displayTokenEndpoint !== undefined)
    km.displayTokenEndpoint =
      (body.displayTokenEndpoint as string) ?? undefined;
  if (body.transportFailure !== undefined)
    km.transportFailure =
      body.transportFailure as KeyManager['transportFailure'];
  if (!wasEnabled && km.enabled) ctx.store.markLoading(km);
  if (body.notLoaded === true) km.notLoaded = 'permanent';
  else if (body.notLoaded === false) km.notLoaded = null;
  else if (typeof body.notLoaded === 'number')
    km.notLoaded = Date.now() + body.notLoaded;
}

const SUBSCRIPTION_STATUSES: SubscriptionStatus[] = [
  'UNBLOCKED',
  'ON_HOLD',
  'BLOCKED',
  'PROD_ONLY_BLOCKED',
  'REJECTED',
];

export function controlRouter(
  ctx: EmulatorContext,
  onReset: () => void,
): Router {
  const router = Router();
  const { store } = ctx;
  const kmSnapshot = (km: KeyManager) =>
    store.snapshot().keyManagers.find(k => k.id === km.id);
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
  router.post('/key-managers', (req, res) =>
    guard(res, () => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      check(
        typeof body.name === 'string' && body.name.length > 0,
        'name must be a non-empty string',
      );
      check(
        !store.keyManagers.some(k => k.name === body.name),
        `A key manager named '${body.name}' already exists`,
      );
      check(
        body.baseUrl === undefined ||
          (typeof body.baseUrl === 'string' &&
            /^https?:\/\//.test(body.baseUrl)),
        'baseUrl must be an http(s) URL',
      );
      checkKeyManagerFields(body);
      const { notLoaded, transportFailure, ...options } = body;
      const km = store.addKeyManager(options as unknown as KeyManagerOptions);
      applyKeyManagerPatch(ctx, km, { notLoaded, transportFailure });
      res.status(201).json(kmSnapshot(km));
    }),
  );
  router.patch('/key-managers/:name', (req, res) =>
    guard(res, () => {
      // Not findKeyManager: a global KM can be switched even while the 4.2 profile hides it.
      const km = store.keyManagers.find(
        k => k.name === req.params.name || k.id === req.params.name,
      );
      if (!km) {
        res
          .status(404)
          .json({ error: `No key manager named '${req.params.name}'` });
        return;
      }
      const body = (req.body ?? {}) as Record<string, unknown>;
      checkKeyManagerFields(body);
      applyKeyManagerPatch(ctx, km, body);
      res.json(kmSnapshot(km));
    }),
  );
  router.put('/applications/:applicationId/status', (req, res) =>
    guard(res, () => {
      const app = store.applications.find(
        a => a.applicationId === req.params.applicationId,
      );
      if (!app) {
        res.status(404).json({
          error: `No application with id '${req.params.applicationId}'`,
        });
        return;
      }
      const status = (req.body ?? {}).status;
      check(
        APP_STATUSES.includes(String(status)),
        `status must be one of ${APP_STATUSES.join(', ')}`,
      );
      app.status = String(status);
      app.updatedTime = String(Date.now());
      ctx.changed();
      res.json({ applicationId: app.applicationId, status: app.status });
    }),
  );
  // The admin's workflow decision or the publisher's block-subscription (CONTRACT 11, 14.1).
  router.put('/subscriptions/:subscriptionId/status', (req, res) =>
    guard(res, () => {
      const sub = store.subscriptions.find(
        s => s.subscriptionId === req.params.subscriptionId,
      );
      if (!sub) {
        res.status(404).json({
          error: `No subscription with id '${req.params.subscriptionId}'`,
        });
        return;
      }
      const status = (req.body ?? {}).status;
      check(
        SUBSCRIPTION_STATUSES.includes(status),
        `status must be one of ${SUBSCRIPTION_STATUSES.join(', ')}`,
      );
      sub.status = status;
      ctx.changed();
      res.json({ subscriptionId: sub.subscriptionId, status: sub.status });
    }),
  );
  router.post('/gateway/resync', (_req, res) => {
    ctx.gatewayCache.clear();
    res.json({ resynced: true });
  });
  router.put('/config', (req, res) =>
    guard(res, () => {
      const body = (req.body ?? {}) as Partial<
        Record<keyof EmulatorConfig, unknown>
      >;
      const next: EmulatorConfig = { ...store.config };
      for (const f of [
        'provisionedAppValidation',
        'hasDeleteEndpoint',
        'keyProvisioningEnabled',
        'applicationApprovalWorkflow',
        'subscriptionApprovalWorkflow',
      ] as const) {
        if (body[f] === undefined) continue;
        check(isBool(body[f]), `${f} must be a boolean`);
        next[f] = body[f] as boolean;
      }
      if (body.tokenLifetimeSeconds !== undefined) {
        check(
          Number.isInteger(body.tokenLifetimeSeconds) &&
            (body.tokenLifetimeSeconds as number) > 0,
          'tokenLifetimeSeconds must be a positive integer',
        );
        next.tokenLifetimeSeconds = body.tokenLifetimeSeconds as number;
      }
      for (const f of [
        'kmTransportFailureDelayMs',
        'keyManagerLoadDelayMs',
      ] as const) {
        if (body[f] === undefined) continue;
        check(isMs(body[f]), `${f} must be a non-negative integer`);
        next[f] = body[f] as number;
      }
      if (body.apimVersion !== undefined) {
        check(
          isApimVersion(body.apimVersion),
          `apimVersion must be one of ${APIM_VERSIONS.join(', ')}`,
        );
        next.apimVersion = body.apimVersion as EmulatorConfig['apimVersion'];
      }
      if (body.searchCollation !== undefined) {
        check(
          ['case-sensitive', 'case-insensitive'].includes(
            String(body.searchCollation),
          ),
          'searchCollation must be case-sensitive or case-insensitive',
        );
        next.searchCollation =
          body.searchCollation as EmulatorConfig['searchCollation'];
      }
      if (body.residentKeyManagerServiceUrl !== undefined) {
        check(
          typeof body.residentKeyManagerServiceUrl === 'string' &&
            /^https?:\/\/[^/]+/.test(body.residentKeyManagerServiceUrl),
          'residentKeyManagerServiceUrl must be an http(s) URL',
        );
        next.residentKeyManagerServiceUrl = (
          body.residentKeyManagerServiceUrl as string
        ).replace(/\/+$/, '');
      }
      if (body.applicationThrottlingPolicies !== undefined) {
        check(
          isStringList(body.applicationThrottlingPolicies),
          'applicationThrottlingPolicies must be a list of tier names',
        );
        next.applicationThrottlingPolicies = [
          ...(body.applicationThrottlingPolicies as string[]),
        ];
      }
      store.config = next;
      res.json(store.config);
    }),
  );
  return router;
}
