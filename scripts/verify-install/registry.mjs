// A read-only npm registry for the packed tarballs of the install proof (scripts/verify-install.sh).
// The fresh app points only the @apim-credentials scope here (npmScopes in its .yarnrc.yml), so the
// plugin READMEs' `yarn add @apim-credentials/...` commands run unchanged, exactly as a user would
// type them against npmjs.com; every other package still comes from the real registry.
//
//   node registry.mjs <tarball-dir> <port-file>   (listens on a random port, writes it to port-file)
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';

const [tarballDir, portFile] = process.argv.slice(2);
if (!tarballDir || !portFile) {
  console.error('usage: node registry.mjs <tarball-dir> <port-file>');
  process.exit(2);
}

/** name -> { version, file, manifest, integrity, shasum } */
const packages = new Map();
for (const file of readdirSync(tarballDir).filter(f => f.endsWith('.tgz'))) {
  const full = path.join(tarballDir, file);
  const manifest = JSON.parse(
    execFileSync('tar', ['-xzOf', full, 'package/package.json'], {
      encoding: 'utf8',
    }),
  );
  const bytes = readFileSync(full);
  packages.set(manifest.name, {
    file,
    manifest,
    integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
    shasum: createHash('sha1').update(bytes).digest('hex'),
  });
}

const server = createServer((req, res) => {
  const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
  const tarball = url.match(/^\/(@[^/]+\/[^/]+)\/-\/([^/]+\.tgz)$/);
  if (tarball && packages.get(tarball[1])?.file === tarball[2]) {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(readFileSync(path.join(tarballDir, tarball[2])));
    return;
  }
  const pkg = packages.get(url.slice(1));
  if (!pkg) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not found' }));
    return;
  }
  const base = `http://127.0.0.1:${server.address().port}`;
  const { version } = pkg.manifest;
  const now = new Date().toISOString();
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      name: pkg.manifest.name,
      'dist-tags': { latest: version },
      time: { created: now, modified: now, [version]: now },
      versions: {
        [version]: {
          ...pkg.manifest,
          _id: `${pkg.manifest.name}@${version}`,
          dist: {
            tarball: `${base}/${pkg.manifest.name}/-/${pkg.file}`,
            integrity: pkg.integrity,
            shasum: pkg.shasum,
          },
        },
      },
    }),
  );
});
server.listen(0, '127.0.0.1', () => {
  writeFileSync(portFile, String(server.address().port));
  console.log(
    `registry for ${[...packages.keys()].join(', ')} on port ${
      server.address().port
    }`,
  );
});
