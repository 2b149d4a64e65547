/** Assembles the emulator: one HTTPS server with DCR, token, devportal v3, gateway and control routes. */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { DEFAULT_USERS, Users } from './auth';
import { createContext } from './context';
import { EmulatorControl } from './control';
import { errorBody } from './errors';
import { applyDeferredLatency, faultMiddleware } from './faults';
import { gatewayRouter } from './gateway';
import { applicationsRouter } from './routes/applications';
import { controlRouter } from './routes/control';
import { dcrRouter } from './routes/dcr';
import { keyManagersRouter } from './routes/key-managers';
import { keysRouter } from './routes/keys';
import { apisRouter } from './routes/apis';
import { subscriptionsRouter } from './routes/subscriptions';
import { tokenRouter } from './routes/token';
import { Store } from './state';
import { Stats } from './stats';
import { DEFAULT_APIM_VERSION, parseApimVersion } from './profiles';
import type {
  ApimEmulatorOptions,
  EmulatorConfig,
  EmulatorLogger,
} from './types';

export const DEVPORTAL_BASE = '/api/am/devportal/v3';
export const DEFAULT_KEY_MANAGER_URL = 'https://localhost:9444';

export interface ApimEmulator {
  /** e.g. https://localhost:9443 */
  url: string;
  port: number;
  control: EmulatorControl;
  stop(): Promise<void>;
}

const silentLogger: EmulatorLogger = { info() {}, warn() {}, error() {} };

/** WSO2's default application tiers (CONTRACT 14.2.5 rejects any other). */
export const DEFAULT_APPLICATION_TIERS = [
  'Unlimited',
  '10PerMin',
  '20PerMin',
  '50PerMin',
];

/** Options -> runtime config; `reset()` returns to this. Throws on an unknown `apimVersion`. */
function initialConfig(options: ApimEmulatorOptions): EmulatorConfig {
  return {
    provisionedAppValidation: options.provisionedAppValidation ?? true,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    hasDeleteEndpoint: options.hasDeleteEndpoint ?? true,
    keyProvisioningEnabled: options.keyProvisioningEnabled ?? false,
    apimVersion: parseApimVersion(
      options.apimVersion ?? DEFAULT_APIM_VERSION,
      'apimVersion',
    ),
    applicationApprovalWorkflow: options.applicationApprovalWorkflow ?? false,
    subscriptionApprovalWorkflow: options.subscriptionApprovalWorkflow ?? false,
    searchCollation: options.searchCollation ?? 'case-sensitive',
    kmTransportFailureDelayMs: options.kmTransportFailureDelayMs ?? 1000,
    keyManagerLoadDelayMs: options.keyManagerLoadDelayMs ?? 0,
    residentKeyManagerServiceUrl: (
      options.residentKeyManagerServiceUrl ?? 'https://localhost:9443'
    ).replace(/\/+$/, ''),
    applicationThrottlingPolicies: options.applicationThrottlingPolicies ?? [
      ...DEFAULT_APPLICATION_TIERS,
    ],
  };
}

export async function createApimEmulator(
  options: ApimEmulatorOptions,
): Promise<ApimEmulator> {
  if (!options?.tls?.cert || !options.tls.key) {
    throw new Error(
      'createApimEmulator: tls.cert and tls.key are required (HTTPS only)',
    );
  }
  const host = options.host ?? 'localhost';
  const bindHost = host === 'localhost' ? '127.0.0.1' : host;
  const logger = options.logger ?? silentLogger;
  const store = new Store({
    config: initialConfig(options),
    keyManagerBaseUrl: (
      options.keyManager?.baseUrl ?? DEFAULT_KEY_MANAGER_URL
    ).replace(/\/+$/, ''),
    keyManagers: options.keyManagers,
    apis: options.apis,
    stateFile: options.stateFile,
  });
  store.load();
  const stats = new Stats();
  let url = '';
  const tlsCa = options.tls.ca;
  const ctx = createContext({
    store,
    users: new Users(options.users ?? DEFAULT_USERS),
    stats,
    logger,
    url: () => url,
    kmCa: options.keyManager?.ca ?? tlsCa,
    kmAdmin: options.keyManager?.admin ?? {
      username: 'admin',
      password: 'admin',
    },
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req, res, next) => {
    if (!req.path.startsWith('/_emulator')) {
      stats.countRequest(req.method, req.path);
      res.on('finish', () => stats.countStatus(res.statusCode));
    }
    next();
  });
  app.use(
    '/_emulator',
    controlRouter(ctx, () => ctx.gatewayCache.clear()),
  );
  app.use(faultMiddleware(store));
  app.use(dcrRouter(ctx));
  app.use(tokenRouter(ctx));

  const devportal = express.Router();
  devportal.use(express.raw({ type: () => true, limit: '1mb' }));
  devportal.use(applyDeferredLatency());
  devportal.use(applicationsRouter(ctx));
  devportal.use(keysRouter(ctx));
  devportal.use(keyManagersRouter(ctx));
  devportal.use(apisRouter(ctx));
  devportal.use(subscriptionsRouter(ctx));
  devportal.use((req, res) => {
    res
      .status(404)
      .json(
        errorBody(
          404,
          'Not Found',
          `No resource matches ${req.method} ${req.path}`,
        ),
      );
  });
  app.use(DEVPORTAL_BASE, devportal);
  app.use(gatewayRouter(ctx));
  app.use((req, res) => {
    res
      .status(404)
      .json(
        errorBody(
          404,
          'Not Found',
          `No resource matches ${req.method} ${req.path}`,
        ),
      );
  });
  app.use(
    (
      err: Error & { status?: number },
      req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      logger.error('request failed', {
        route: `${req.method} ${req.path}`,
        error: err.message,
      });
      if (err.status === 400) {
        res
          .status(400)
          .json(errorBody(400, 'Bad Request', 'Malformed request body.'));
        return;
      }
      res
        .status(500)
        .json(
          errorBody(
            500,
            'Internal server error',
            'The server encountered an internal error. Please contact administrator.',
          ),
        );
    },
  );

  const server = https.createServer(
    { cert: options.tls.cert, key: options.tls.key },
    app,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, bindHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  url = `https://${host}:${port}`;
  logger.info('API-M emulator listening', { url });

  let stopped: Promise<void> | undefined;
  return {
    url,
    port,
    control: new EmulatorControl(url, tlsCa ?? options.tls.cert),
    stop() {
      stopped ??= new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => store.save());
      return stopped;
    },
  };
}
