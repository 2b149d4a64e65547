/**
 * TLS material for the local stack. WSO2 API-M (9443) and WSO2 IS (9444) serve HTTPS with a
 * self-signed certificate by default, so the local stand-ins do the same: a private CA signs a
 * server certificate for localhost, and clients are configured with the CA (never with
 * rejectUnauthorized: false).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import selfsigned from 'selfsigned';

export interface LocalTls {
  /** PEM of the CA that signed `cert`; what clients put in their trust store. */
  ca: string;
  /** PEM server certificate, valid for localhost, 127.0.0.1 and ::1. */
  cert: string;
  /** PEM private key of `cert`. */
  key: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Creates a CA and a localhost server certificate signed by it. */
export async function generateLocalTls(options?: {
  hostnames?: string[];
  validDays?: number;
}): Promise<LocalTls> {
  const hostnames = options?.hostnames ?? ['localhost'];
  const notBeforeDate = new Date(Date.now() - DAY_MS);
  const notAfterDate = new Date(
    Date.now() + (options?.validDays ?? 365) * DAY_MS,
  );
  const ca = await selfsigned.generate(
    [{ name: 'commonName', value: 'API-M Credentials local stack CA' }],
    {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate,
      notAfterDate,
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
    },
  );
  const server = await selfsigned.generate(
    [{ name: 'commonName', value: hostnames[0] }],
    {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate,
      notAfterDate,
      ca: { key: ca.private, cert: ca.cert },
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            ...hostnames.map(value => ({ type: 2 as const, value })),
            { type: 7 as const, ip: '127.0.0.1' },
            { type: 7 as const, ip: '::1' },
          ],
        },
      ],
    },
  );
  return { ca: ca.cert, cert: server.cert, key: server.private };
}

/**
 * Reads the TLS material from `dir` (ca.pem, cert.pem, key.pem), creating it on first use, so
 * that a restarted stack keeps the CA that Backstage's config already trusts.
 */
export async function loadOrCreateLocalTls(dir: string): Promise<LocalTls> {
  const files = {
    ca: path.join(dir, 'ca.pem'),
    cert: path.join(dir, 'cert.pem'),
    key: path.join(dir, 'key.pem'),
  };
  try {
    const [ca, cert, key] = await Promise.all([
      fs.readFile(files.ca, 'utf8'),
      fs.readFile(files.cert, 'utf8'),
      fs.readFile(files.key, 'utf8'),
    ]);
    return { ca, cert, key };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const tls = await generateLocalTls();
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(files.ca, tls.ca);
  await fs.writeFile(files.cert, tls.cert);
  await fs.writeFile(files.key, tls.key, { mode: 0o600 });
  return tls;
}
