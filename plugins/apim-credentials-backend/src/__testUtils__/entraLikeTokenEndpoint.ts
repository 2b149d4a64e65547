/**
 * A token endpoint that behaves like Microsoft Entra ID's v2.0 endpoint for client_credentials
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow):
 * it refuses a request without `scope` (400 invalid_request, AADSTS900144), a scope without the
 * `/.default` suffix (400 invalid_scope, AADSTS1002012), a scope of an unknown application id
 * URI (400 invalid_resource, AADSTS500011), an unknown client (400 unauthorized_client,
 * AADSTS700016) and a wrong secret (401 invalid_client, AADSTS7000215). Credentials are taken
 * from the form body or from HTTP Basic, form-decoded (RFC 6749 2.3.1). A real HTTP server, so
 * that tests exercise the verifier's and the snippet's actual requests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EntraLikeTokenEndpoint {
  /** `http://127.0.0.1:<port>/<tenant>/oauth2/v2.0/token` */
  tokenEndpoint: string;
  /** The application id URI whose `/.default` scope is accepted. */
  appIdUri: string;
  /** The form fields of every request received, for assertions (test-only; holds secrets). */
  requests: Array<Record<string, string>>;
  stop(): Promise<void>;
}

function aadError(
  status: number,
  error: string,
  aadsts: number,
  description: string,
) {
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${aadsts}: ${description}\r\nTrace ID: 00000000-0000-0000-0000-000000000000\r\nCorrelation ID: 00000000-0000-0000-0000-000000000000\r\nTimestamp: 2026-11-30 12:00:00Z`,
      error_codes: [aadsts],
      timestamp: '2026-11-30 12:00:00Z',
      trace_id: '00000000-0000-0000-0000-000000000000',
      correlation_id: '00000000-0000-0000-0000-000000000000',
    },
  };
}

/** Form-decoding of one Basic credential half (RFC 6749 2.3.1: `+` is a space). */
const formDecode = (value: string) =>
  decodeURIComponent(value.replace(/\+/g, ' '));

function answer(
  form: URLSearchParams,
  authorization: string | undefined,
  clients: Map<string, string>,
  appIdUri: string,
): { status: number; body: unknown } {
  let clientId = form.get('client_id') ?? undefined;
  let clientSecret = form.get('client_secret') ?? undefined;
  const basic = /^Basic (.+)$/i.exec(authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    try {
      clientId = formDecode(decoded.slice(0, colon));
      clientSecret = formDecode(decoded.slice(colon + 1));
    } catch {
      return aadError(
        401,
        'invalid_client',
        7000215,
        'Invalid client secret provided.',
      );
    }
  }
  if (form.get('grant_type') !== 'client_credentials') {
    return aadError(
      400,
      'unsupported_grant_type',
      70003,
      'The app requested an unsupported grant type.',
    );
  }
  const scope = form.get('scope');
  if (!scope) {
    return aadError(
      400,
      'invalid_request',
      900144,
      "The request body must contain the following parameter: 'scope'.",
    );
  }
  if (!scope.endsWith('/.default')) {
    return aadError(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  if (scope !== `${appIdUri}/.default`) {
    return aadError(
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${scope.slice(
        0,
        -'/.default'.length,
      )} was not found in the tenant.`,
    );
  }
  if (!clientId || !clients.has(clientId)) {
    return aadError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory.`,
    );
  }
  if (clients.get(clientId) !== clientSecret) {
    return aadError(
      401,
      'invalid_client',
      7000215,
      'Invalid client secret provided.',
    );
  }
  return {
    status: 200,
    body: {
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: `entra-like.${Buffer.from(clientId).toString('base64url')}`,
    },
  };
}

/** Starts the endpoint on a free port of 127.0.0.1 with the given clients (id -> secret). */
export async function startEntraLikeTokenEndpoint(options: {
  clients: Record<string, string>;
  appIdUri?: string;
}): Promise<EntraLikeTokenEndpoint> {
  const appIdUri = options.appIdUri ?? 'api://orders-api';
  const clients = new Map(Object.entries(options.clients));
  const requests: Array<Record<string, string>> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
        });
        res.end(JSON.stringify(body));
      };
      if (
        req.method !== 'POST' ||
        !/\/oauth2\/v2\.0\/token$/.test(req.url ?? '')
      ) {
        send(404, { error: 'not_found' });
        return;
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      requests.push(Object.fromEntries(form));
      const { status, body } = answer(
        form,
        req.headers.authorization,
        clients,
        appIdUri,
      );
      send(status, body);
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    tokenEndpoint: `http://127.0.0.1:${port}/contoso.onmicrosoft.com/oauth2/v2.0/token`,
    appIdUri,
    requests,
    stop: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
