/** Test certificates: a private CA and a localhost server certificate it signed. */
import selfsigned from 'selfsigned';

/** A CA with its own name (OpenSSL finds issuers by name) and a localhost certificate. */
export async function pki(caName: string) {
  const ca = await selfsigned.generate(
    [{ name: 'commonName', value: caName }],
    {
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
    },
  );
  const server = await selfsigned.generate(
    [{ name: 'commonName', value: 'localhost' }],
    {
      keySize: 2048,
      algorithm: 'sha256',
      ca: { key: ca.private, cert: ca.cert },
      extensions: [
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] },
      ],
    },
  );
  return { ca: ca.cert, cert: server.cert, key: server.private };
}
