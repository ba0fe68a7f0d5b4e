// `kubelab site serve`: a small static file server for the built site. The
// one dynamic file is assets/grade.js: made from a grade.json at each request
// (so re-grading and reloading the page shows the new grade), while the built
// folder stays static.

import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { gradeScriptFromFile } from './grade-script.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.yaml': 'text/plain; charset=utf-8',
  '.yml': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export interface ServeOptions {
  /** The built site. */
  dir: string;
  port: number;
  host: string;
  /** A grade.json to show beside the lessons (read again at every page load). */
  gradeFile?: string;
}

export interface SiteServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** The file a URL path names inside `dir`, or undefined (outside it, or missing). */
function fileFor(dir: string, urlPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    return undefined;
  }
  const file = normalize(join(dir, path));
  if (file !== dir && !file.startsWith(dir + sep)) return undefined;
  if (!existsSync(file)) return undefined;
  if (statSync(file).isDirectory()) return existsSync(join(file, 'index.html')) ? join(file, 'index.html') : undefined;
  return file;
}

export function serveSite(options: ServeOptions): Promise<SiteServer> {
  const dir = resolve(options.dir);
  let warned = false;
  const warn = (message: string) => {
    if (!warned) process.stderr.write(`kubelab site: ${message}\n`);
    warned = true;
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    if (path === '/assets/grade.js') {
      const body = gradeScriptFromFile(options.gradeFile, warn);
      res.writeHead(200, { 'content-type': TYPES['.js'], 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const file = fileFor(dir, path);
    if (!file) {
      res.writeHead(404, { 'content-type': TYPES['.html'] })
        .end(`<!doctype html><html lang="en"><title>Not found · kubelab</title><h1>Not found</h1><p>No page at this address. <a href="/index.html">The course starts here.</a></p></html>\n`);
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      resolvePromise({
        server,
        url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}/`,
        close: () => new Promise((done) => { server.close(() => done()); server.closeAllConnections(); }),
      });
    });
  });
}
