/**
 * An in-memory stand-in for the apim-credentials backend's subscription routes (issue 16), reached
 * through an injected `fetch` like FakeApimCredentialsBackend: `GET .../subscriptions`,
 * `PUT .../subscriptions/:environment/:apiRef` and `POST .../subscriptions/:environment/sync`
 * (with `?dryRun=true`), with Backstage error bodies carrying the backend's stable codes.
 */
import type { ApimCredentialsErrorCode } from '@apim-credentials/backstage-plugin-apim-credentials-common';

/** An error answer as the backend sends it. */
export interface CodedAnswer {
  status: number;
  code: ApimCredentialsErrorCode;
  message: string;
}

const NAMES: Record<number, string> = {
  400: 'InputError',
  403: 'NotAllowedError',
  404: 'NotFoundError',
  409: 'ConflictError',
};

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

function errorAnswer(a: CodedAnswer) {
  return json(a.status, {
    error: {
      name: NAMES[a.status] ?? 'Error',
      message: a.message,
      code: a.code,
    },
    response: { statusCode: a.status },
  });
}

/** The entity is `component:default/orders-service`; `declared` is its consumesApis. */
export function fakeSubscriptionsBackend(declared: string[]) {
  const subscribed = new Map<string, Set<string>>();
  const calls: Array<{
    method: string;
    url: string;
    body?: any;
    headers: Record<string, string>;
  }> = [];
  /** Per API ref: the answer its next subscription gets (once). */
  const failOnce = new Map<string, CodedAnswer>();
  /** Every request is answered with this, when set. */
  let refuseAll: CodedAnswer | undefined;
  const subsOf = (env: string) => {
    if (!subscribed.has(env)) subscribed.set(env, new Set());
    return subscribed.get(env)!;
  };

  const fetch = async (url: string, init?: RequestInit) => {
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    const headers = init!.headers as Record<string, string>;
    calls.push({ method: init!.method!, url, body, headers });
    if (refuseAll) return errorAnswer(refuseAll);
    const parsed = new URL(url);
    const m = parsed.pathname.match(
      /\/entities\/component\/default\/orders-service\/subscriptions(?:\/([^/]+)\/([^/]+))?$/,
    );
    if (!m)
      return json(404, {
        error: { name: 'NotFoundError', message: 'no route' },
      });
    const env = m[1]
      ? decodeURIComponent(m[1])
      : parsed.searchParams.get('environment') ?? 'sandbox';
    if (env === 'nowhere') {
      return errorAnswer({
        status: 404,
        code: 'UNKNOWN_ENVIRONMENT',
        message: 'Unknown environment "nowhere"',
      });
    }
    const subs = subsOf(env);
    if (!m[1]) {
      const item = (apiRef: string) => ({
        apiRef,
        apiId: `id-${apiRef}`,
        subscriptionId: `s-${apiRef}`,
        tier: 'Unlimited',
        status: 'UNBLOCKED',
      });
      return json(200, {
        entityRef: 'component:default/orders-service',
        declared,
        environments: [
          {
            environment: env,
            application: { applicationId: 'app-1', name: 'orders-service' },
            subscribed: [...subs].filter(a => declared.includes(a)).map(item),
            missing: declared
              .filter(a => !subs.has(a))
              .map(apiRef => ({ apiRef })),
            undeclared: [...subs].filter(a => !declared.includes(a)).map(item),
            unresolved: [],
          },
        ],
      });
    }
    const subscribe = (apiRef: string) => {
      const failure = failOnce.get(apiRef);
      if (failure) {
        failOnce.delete(apiRef);
        return failure;
      }
      const had = subs.has(apiRef);
      subs.add(apiRef);
      return had ? ('unchanged' as const) : ('succeeded' as const);
    };
    if (m[2] === 'sync') {
      const items = declared
        .filter(a => !subs.has(a))
        .map(apiRef => ({
          apiRef,
          apiId: `id-${apiRef}`,
          action: 'subscribe',
        }));
      if (parsed.searchParams.get('dryRun') === 'true')
        return json(200, {
          dryRun: true,
          environment: env,
          items,
          unresolved: [],
        });
      const results = items.map(i => {
        const outcome = subscribe(i.apiRef);
        return typeof outcome === 'string'
          ? { ...i, outcome }
          : {
              ...i,
              outcome: 'failed',
              error: { code: outcome.code, message: outcome.message },
            };
      });
      return json(200, {
        dryRun: false,
        environment: env,
        results,
        unresolved: [],
      });
    }
    const apiRef = decodeURIComponent(m[2]);
    const outcome = subscribe(apiRef);
    if (typeof outcome !== 'string') return errorAnswer(outcome);
    return json(outcome === 'unchanged' ? 200 : 201, {
      outcome,
      apiRef,
      apiId: `id-${apiRef}`,
    });
  };
  return {
    fetch,
    calls,
    subscribed,
    subscribe: (env: string, apiRef: string) => subsOf(env).add(apiRef),
    failOnce: (apiRef: string, answer: CodedAnswer) =>
      failOnce.set(apiRef, answer),
    refuseAll: (answer: CodedAnswer) => {
      refuseAll = answer;
    },
  };
}
