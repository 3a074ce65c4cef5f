#!/usr/bin/env node
// A tiny static file server for the example page and the browser tests: localhost only, GET and
// HEAD only, no directory listings, paths confined to `root`. It sends the cross-origin isolation
// headers (COOP/COEP), so SharedArrayBuffer — and WebAssembly threads, once simdnet has them —
// are available to the page, and application/wasm, so WebAssembly.compileStreaming applies.
//
//   node examples/web/server.mjs [--port 8080]     then open http://localhost:8080/examples/web/
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.map': 'application/json',
  '.ts': 'text/plain; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png',
};

/** The repository root: the page imports dist/bundle/, the tests import test/. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

// A page asked for with ?coi=0 is served without COOP/COEP: not cross-origin isolated, so no
// SharedArrayBuffer (how the smoke suite checks simdnet's one-thread fallback).
function isolated(url) {
  return !/[?&]coi=0(&|$)/.test(url ?? '');
}

/**
 * Serves `root` on 127.0.0.1 (port 0 = any free port). Resolves to { url, close }.
 * @param {{ root?: string, port?: number, log?: (line: string) => void }} [opts]
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void> }>}
 */
export function serve({ root = REPO_ROOT, port = 0, log } = {}) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    const headers = {
      ...(isolated(req.url) ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {}),
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, headers).end();
        return;
      }
      let path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      let file = resolve(base, '.' + normalize(path));
      if (file !== base && !file.startsWith(base + sep)) {
        res.writeHead(403, headers).end();
        return;
      }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
      log?.(`200 ${path}`);
    } catch (e) {
      res.writeHead(e?.code === 'ENOENT' || e?.code === 'EISDIR' ? 404 : 500, headers).end();
      log?.(`${e?.code ?? 500} ${req.url}`);
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const p = server.address().port;
      ok({ url: `http://127.0.0.1:${p}/`, port: p, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--port');
  const { url } = await serve({ port: i > 0 ? Number(process.argv[i + 1]) : 8080, log: (l) => console.log(l) });
  console.log(`serving ${REPO_ROOT} at ${url} — the example: ${url}examples/web/`);
}
