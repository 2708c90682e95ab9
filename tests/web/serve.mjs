// A static file server for the browser tests: 127.0.0.1 only, a port chosen
// by the system, every request logged so that a test can check the page
// asked for nothing but its own files.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.toml': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export async function serve(root) {
  const requests = [];
  const server = createServer(async (req, res) => {
    requests.push(req.url);
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
      let file = normalize(join(root, path));
      if (!file.startsWith(normalize(root) + sep) && file !== normalize(root)) throw new Error('outside');
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { origin: `http://127.0.0.1:${port}`, requests, close: () => new Promise((ok) => server.close(ok)) };
}

// `node serve.mjs DIR [SECONDS]`: serve DIR by hand for a while.
if (import.meta.url === `file://${process.argv[1]}`) {
  const root = process.argv[2] || '.';
  const seconds = Number(process.argv[3] || 600);
  const s = await serve(root);
  console.log(`${s.origin}/  (for ${seconds} s)`);
  setTimeout(() => s.close().then(() => process.exit(0)), seconds * 1000).unref();
  await new Promise((ok) => setTimeout(ok, seconds * 1000));
}
