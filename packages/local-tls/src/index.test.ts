import https from 'node:https';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { generateLocalTls, loadOrCreateLocalTls } from './index';

function get(url: string, ca?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, res => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

describe('local TLS', () => {
  it('serves HTTPS that a client trusting the CA accepts and a default client rejects', async () => {
    const tls = await generateLocalTls();
    const server = https.createServer(
      { cert: tls.cert, key: tls.key },
      (_req, res) => res.end('ok'),
    );
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      await expect(get(`https://localhost:${port}/`, tls.ca)).resolves.toBe(
        200,
      );
      await expect(get(`https://127.0.0.1:${port}/`, tls.ca)).resolves.toBe(
        200,
      );
      await expect(get(`https://localhost:${port}/`)).rejects.toThrow(
        /self.signed|unable to verify|certificate/i,
      );
    } finally {
      server.close();
    }
  });

  it('keeps the same CA across restarts', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'local-tls-'));
    const first = await loadOrCreateLocalTls(dir);
    const second = await loadOrCreateLocalTls(dir);
    expect(second).toEqual(first);
  });
});
