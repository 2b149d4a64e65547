/** Switchable faults: latency, 5xx, hang, connection reset, malformed body, failAfterMapping. */
import type { NextFunction, Request, Response } from 'express';
import { errors } from './errors';
import type { Store } from './state';
import type { FaultRule, FaultType } from './types';

const FAULT_TYPES: FaultType[] = [
  'latency',
  'error',
  'timeout',
  'reset',
  'malformed',
  'failAfterMapping',
];

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') {
      re += '[^/]*';
    } else {
      re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}/?$`);
}

export function ruleMatches(
  rule: FaultRule,
  method: string,
  path: string,
): boolean {
  if (rule.method && rule.method.toUpperCase() !== method.toUpperCase())
    return false;
  if (rule.path && !globToRegExp(rule.path).test(path)) return false;
  return true;
}

export function validateFaults(input: unknown): FaultRule[] {
  const list = Array.isArray(input)
    ? input
    : (input as { faults?: unknown })?.faults;
  if (!Array.isArray(list))
    throw new Error('Expected an array of fault rules (or {faults: [...]})');
  return list.map((f, i) => {
    if (!f || typeof f !== 'object')
      throw new Error(`faults[${i}] is not an object`);
    const rule = f as FaultRule;
    if (!FAULT_TYPES.includes(rule.type)) {
      throw new Error(
        `faults[${i}].type must be one of ${FAULT_TYPES.join(', ')}`,
      );
    }
    if (
      rule.times !== undefined &&
      !(Number.isInteger(rule.times) && rule.times > 0)
    ) {
      throw new Error(`faults[${i}].times must be a positive integer`);
    }
    return { ...rule };
  });
}

/** Takes the first matching rule of `type` (consuming one of its `times`). */
export function takeFault(
  store: Store,
  type: FaultType,
  method: string,
  path: string,
): FaultRule | undefined {
  const rule = store.faults.find(
    r => r.type === type && ruleMatches(r, method, path),
  );
  if (!rule) return undefined;
  if (rule.times !== undefined) {
    rule.times--;
    if (rule.times <= 0) store.faults = store.faults.filter(r => r !== rule);
  }
  return rule;
}

function resetSocket(req: Request) {
  const socket = req.socket as typeof req.socket & {
    resetAndDestroy?: () => void;
  };
  try {
    if (typeof socket.resetAndDestroy === 'function') {
      socket.resetAndDestroy();
      return;
    }
  } catch {
    // fall through
  }
  socket.destroy();
}

/** Express middleware applying request-level faults (everything except failAfterMapping). */
export function faultMiddleware(store: Store) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith('/_emulator')) {
      next();
      return;
    }
    const { method, path } = req;
    const latency = takeFault(store, 'latency', method, path);
    if (latency?.latencyMs) {
      if (path.startsWith('/api/am/devportal/')) {
        // A slow API-M is slow after it has read the request: the delay is applied once the
        // devportal has the body (applyDeferredLatency), so a client that gives up meanwhile
        // does not stop the work, as with a real servlet container.
        res.locals.deferredLatencyMs = latency.latencyMs;
      } else {
        await new Promise(r => setTimeout(r, latency.latencyMs));
      }
    }
    if (takeFault(store, 'timeout', method, path)) {
      // Never answer; the socket stays open until the client gives up or the server stops.
      return;
    }
    if (takeFault(store, 'reset', method, path)) {
      resetSocket(req);
      return;
    }
    const error = takeFault(store, 'error', method, path);
    if (error) {
      res
        .status(error.status ?? 500)
        .json(error.body ?? errors.generalError().body);
      return;
    }
    if (takeFault(store, 'malformed', method, path)) {
      res
        .status(200)
        .type('application/json')
        .send('{"count":1,"list":[{"applicationId":');
      return;
    }
    next();
  };
}

/** Devportal middleware, after the body is read: the delay of a `latency` fault. */
export function applyDeferredLatency() {
  return async (_req: Request, res: Response, next: NextFunction) => {
    const ms = res.locals.deferredLatencyMs;
    if (typeof ms === 'number' && ms > 0) {
      await new Promise(r => setTimeout(r, ms));
    }
    next();
  };
}
