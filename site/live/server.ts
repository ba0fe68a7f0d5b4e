// The live view's server: the page (index.html, style.css, the bundled app)
// and the read-only proxy to the API server (proxy.ts), on one loopback
// address. `kubelab up` starts it beside the cluster; `kubelab view` starts it
// for any cluster named by a kubeconfig.
//
// It binds 127.0.0.1 only, and answers only requests whose Host is its own
// address (a web page elsewhere cannot reach it through a DNS name that points
// at 127.0.0.1) and WebSockets whose Origin is its own page (WebSockets are not
// bound by the browser's same-origin rule).

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { isApiPath, judge } from './allowlist.ts';
import { bundleApp } from './bundle.ts';
import type { ClusterCredentials } from '../../conformance/harness/read-kubeconfig.ts';
import { forwardRead, forwardWatch, refuse } from './proxy.ts';
import { acceptWebSocket } from './websocket.ts';

export const DEFAULT_VIEW_PORT = 4001;

export interface LiveViewOptions {
  credentials: ClusterCredentials;
  /** 0: any free port. */
  port: number;
  /** A loopback address (default 127.0.0.1). */
  host?: string;
}

export interface LiveView {
  server: Server;
  url: string;
  close(): Promise<void>;
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export async function startLiveView(options: LiveViewOptions): Promise<LiveView> {
  const host = options.host ?? '127.0.0.1';
  if (!/^127\.\d+\.\d+\.\d+$/.test(host)) throw new Error(`the live view serves loopback addresses only (127.x.y.z), not ${host}`);
  const files: Record<string, { type: string; body: string }> = {
    '/': { type: 'text/html; charset=utf-8', body: readFileSync(here('./index.html'), 'utf8') },
    '/style.css': { type: 'text/css; charset=utf-8', body: readFileSync(here('./style.css'), 'utf8') },
    '/app.js': { type: 'text/javascript; charset=utf-8', body: await bundleApp() },
  };
  let port = options.port;
  const ownHosts = () => new Set([`${host}:${port}`, `localhost:${port}`]);

  const server = createServer((req, res) => {
    if (!ownHosts().has(req.headers.host ?? '')) return refuse(res, 403, 'Forbidden', `the live view answers requests for ${host}:${port} only`);
    const url = req.url ?? '/';
    if (isApiPath(url)) {
      const verdict = judge(req.method, url);
      if (!verdict.allowed) return refuse(res, 403, 'Forbidden', verdict.reason);
      return forwardRead(options.credentials, verdict.path, verdict.query, res);
    }
    serveFile(files, req, res);
  });

  // Watches over WebSockets (websocket.ts says why).
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    const origin = req.headers.origin;
    const verdict = judge(req.method, req.url ?? '/');
    const refusal = !ownHosts().has(req.headers.host ?? '') ? 'wrong Host'
      : origin !== undefined && ![...ownHosts()].some((h) => origin === `http://${h}`) ? `Origin ${origin} is not the live view`
        : !verdict.allowed ? verdict.reason
          : !verdict.watch ? 'only watches are served over WebSockets' : undefined;
    if (refusal || !verdict.allowed) {
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${refusal}\n`);
      return;
    }
    const peer = acceptWebSocket(req, socket);
    if (!peer) return;
    upgraded.add(socket);
    peer.onClose(() => upgraded.delete(socket));
    forwardWatch(options.credentials, verdict.path, verdict.query, peer);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    server,
    url: `http://${host}:${port}/`,
    close: () => new Promise<void>((resolve) => {
      for (const socket of upgraded) socket.destroy();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function serveFile(files: Record<string, { type: string; body: string }>, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
    return;
  }
  const file = files[(req.url ?? '/').split('?')[0].replace(/^\/index\.html$/, '/')];
  if (!file) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: the live view is at /\n');
    return;
  }
  res.writeHead(200, {
    'content-type': file.type,
    'cache-control': 'no-cache',
    // Everything comes from this server; nothing from another host.
    'content-security-policy': "default-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'",
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : file.body);
}
