import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { ApimError } from './ApimError';
import { HttpTransport, MAX_RESPONSE_BYTES } from './HttpTransport';
import { pki } from '../__testUtils__/pki';

const SECRET = 'marker-secret-redirect-9c1e';

type Handler = (
  req: http.IncomingMessage,
  body: string,
  res: http.ServerResponse,
) => void;

async function listen(
  handler: Handler,
  server: http.Server = http.createServer(),
): Promise<{ url: string; close(): Promise<void> }> {
  server.on('request', (req, res) => {
    let body = '';
    req.on('data', c => (body += c));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  const scheme = server instanceof https.Server ? 'https' : 'http';
  return {
    url: `${scheme}://${
      scheme === 'https' ? 'localhost' : '127.0.0.1'
    }:${port}`,
    close: () => new Promise(r => server.close(() => r())),
  };
}

/** GET `url` through `transport`, read whole as text. */
async function getText(transport: HttpTransport, url: string) {
  const response = await transport.send({
    method: 'GET',
    url,
    operation: 'GET /',
  });
  return transport.readText(response, 'GET /');
}

describe('HttpTransport', () => {
  const transport = new HttpTransport({
    rejectUnauthorized: true,
    timeoutMs: 5000,
  });
  afterAll(() => transport.close());

  it.each([307, 308, 302, 301])(
    'never follows a %i: the body with the secret stays where it was sent',
    async status => {
      const received: string[] = [];
      const target = await listen((_req, body, res) => {
        received.push(body);
        res.end('{}');
      });
      const redirecting = await listen((_req, _body, res) => {
        res.statusCode = status;
        res.setHeader('location', `${target.url}/stolen?token=abc`);
        res.end();
      });
      try {
        const error = await transport
          .send({
            method: 'POST',
            url: `${redirecting.url}/api/am/devportal/v3/applications/x/map-keys`,
            operation: 'POST /applications/{id}/map-keys',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ consumerSecret: SECRET }),
          })
          .then(
            () => undefined,
            e => e,
          );
        expect(error).toBeInstanceOf(ApimError);
        expect(error.kind).toBe('redirect');
        expect(error.upstreamStatus).toBe(status);
        expect(error.message).toContain(`Location ${target.url}/stolen`);
        expect(error.message).not.toContain('token=abc');
        expect(received).toEqual([]);
      } finally {
        await redirecting.close();
        await target.close();
      }
    },
  );

  it('caps response bodies, declared or streamed', async () => {
    const big = 'x'.repeat(MAX_RESPONSE_BYTES + 1);
    const server = await listen((req, _body, res) => {
      if (req.url === '/chunked') {
        res.write(big.slice(0, MAX_RESPONSE_BYTES));
        res.end('xx');
      } else {
        res.end(big);
      }
    });
    try {
      for (const path of ['/declared', '/chunked']) {
        const response = await transport.send({
          method: 'GET',
          url: `${server.url}${path}`,
          operation: 'GET /applications',
        });
        await expect(
          transport.readText(response, 'GET /applications'),
        ).rejects.toMatchObject({ kind: 'malformed' });
      }
      const ok = await transport.send({
        method: 'GET',
        url: `${server.url}/declared`.replace('declared', 'x'),
        operation: 'GET /x',
      });
      await ok.body.dump();
    } finally {
      await server.close();
    }
  });

  it('reads an ordinary body whole', async () => {
    const text = JSON.stringify({ list: 'é'.repeat(10_000) });
    const server = await listen((_req, _body, res) => res.end(text));
    try {
      expect(await getText(transport, server.url)).toBe(text);
    } finally {
      await server.close();
    }
  });

  it('tls.ca adds to the default roots instead of replacing them', async () => {
    // Two private CAs: "public" plays a root the process already trusts, "private" the
    // configured tls.ca. A server with a "public" certificate must still verify.
    const publicTls = await pki('A public root');
    const privateTls = await pki('The operator CA');
    const defaults = tls.getCACertificates('default');
    tls.setDefaultCACertificates([...defaults, publicTls.ca]);
    const publicServer = await listen(
      (_req, _body, res) => res.end('public'),
      https.createServer({ key: publicTls.key, cert: publicTls.cert }),
    );
    const privateServer = await listen(
      (_req, _body, res) => res.end('private'),
      https.createServer({ key: privateTls.key, cert: privateTls.cert }),
    );
    const withCa = new HttpTransport({
      ca: privateTls.ca,
      rejectUnauthorized: true,
      timeoutMs: 5000,
    });
    try {
      for (const [server, text] of [
        [publicServer, 'public'],
        [privateServer, 'private'],
      ] as const) {
        expect(await getText(withCa, server.url)).toBe(text);
      }
    } finally {
      tls.setDefaultCACertificates(defaults);
      await withCa.close();
      await publicServer.close();
      await privateServer.close();
    }
  });
});
