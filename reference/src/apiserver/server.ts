// The API server's HTTP front: TLS, authentication, and dispatch by path.
//
// Every request goes through the same steps, in the order kube-apiserver uses:
// authenticate (a bearer token), find what the path is about (request-info.ts),
// then hand it to the handler for that verb. Errors become Status objects.

import https from 'node:https';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { findResource } from './resources.ts';
import { methodNotAllowed, pathNotFound, unauthorized } from './errors.ts';
import { parseResourcePath } from './http/request-info.ts';
import { checkWriteOptions } from './http/write-options.ts';
import { sendError, sendJson, sendText } from './http/respond.ts';
import {
  AGGREGATED_DISCOVERY_TYPE, aggregatedDiscovery, apiGroupDocument, apiGroupList, apiResourceList, apiVersions, wantsAggregated,
} from './discovery.ts';
import { openApiDocumentJson, openApiRoot } from './openapi/openapi.ts';
import { serveObjects } from './handlers/objects.ts';
import { serveSubresource } from './handlers/subresources.ts';
import type { Registry } from './registry/registry.ts';

/** The Kubernetes version this server speaks (kubectl picks its behaviour from it). */
export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-kubelab' };

export interface ApiServerOptions {
  registry: Registry;
  /** Every request except health checks and /version must carry `Authorization: Bearer <token>`. */
  token: string;
  /** Serving certificate and key (PEM); without them the server speaks plain http (tests only: kubectl sends tokens only over https). */
  tls?: { cert: string; key: string };
  /** Reports readiness for /readyz (for example: the store answers). */
  ready?: () => Promise<boolean>;
}

/** Paths anyone may read, as in Kubernetes (the system:public-info-viewer role). */
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version']);

function authenticated(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match) return false;
  const given = Buffer.from(match[1].trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function serveNonResource(req: IncomingMessage, res: ServerResponse, pathname: string, options: ApiServerOptions): Promise<boolean> {
  const accept = req.headers.accept;
  switch (pathname) {
    case '/healthz':
    case '/livez':
      sendText(res, 200, 'ok');
      return true;
    case '/readyz': {
      const ready = options.ready ? await options.ready() : true;
      sendText(res, ready ? 200 : 503, ready ? 'ok' : 'store not ready');
      return true;
    }
    case '/version':
      sendJson(res, 200, { ...KUBERNETES_VERSION, gitCommit: 'kubelab', gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'none', compiler: 'none', platform: `${process.platform}/${process.arch}` });
      return true;
    case '/api':
      if (wantsAggregated(accept)) sendJson(res, 200, aggregatedDiscovery(true), AGGREGATED_DISCOVERY_TYPE);
      else sendJson(res, 200, apiVersions(req.headers.host ?? ''));
      return true;
    case '/apis':
      if (wantsAggregated(accept)) sendJson(res, 200, aggregatedDiscovery(false), AGGREGATED_DISCOVERY_TYPE);
      else sendJson(res, 200, apiGroupList());
      return true;
    case '/openapi/v3':
      sendJson(res, 200, openApiRoot());
      return true;
  }
  if (pathname.startsWith('/openapi/v3/')) {
    const json = openApiDocumentJson(pathname.slice('/openapi/v3/'.length));
    if (!json) throw pathNotFound();
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) });
    res.end(json);
    return true;
  }
  const group = /^\/apis\/([^/]+)\/?$/.exec(pathname);
  if (group) {
    const doc = apiGroupDocument(group[1]);
    if (!doc) throw pathNotFound();
    sendJson(res, 200, doc);
    return true;
  }
  return false;
}

async function handle(req: IncomingMessage, res: ServerResponse, options: ApiServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://apiserver');
  const pathname = url.pathname.replace(/\/+$/, '') || '/';
  if (!PUBLIC_PATHS.has(pathname) && !authenticated(req, options.token)) throw unauthorized();
  if (await serveNonResource(req, res, pathname, options)) return;

  const info = parseResourcePath(pathname);
  if (!info) throw pathNotFound();
  if (info.resource === undefined) {
    // GET /api/v1 or /apis/apps/v1: the legacy resource list of one group version.
    const list = apiResourceList(info.group, info.version);
    if (!list) throw pathNotFound();
    if (req.method !== 'GET') throw methodNotAllowed(req.method ?? '');
    sendJson(res, 200, list);
    return;
  }
  const resource = findResource(info.group, info.version, info.resource);
  if (!resource) throw pathNotFound();
  if (!resource.namespaced && info.namespace) throw pathNotFound();
  checkWriteOptions(req.method ?? 'GET', url.searchParams);
  const ctx = { req, res, query: url.searchParams, info, resource, registry: options.registry, token: options.token };
  if (info.subresource) await serveSubresource(ctx);
  else await serveObjects(ctx);
}

export function createApiServer(options: ApiServerOptions): http.Server {
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res, options).catch((err) => sendError(res, err));
  };
  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, listener) : http.createServer(listener);
  // Watches stay open for many minutes; Node's default request timeouts would cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  return server;
}
